/* libyaml's parser (Debian: libyaml-dev). Linked as Package.swift's staticLibYAML says. */
#include <yaml.h>
