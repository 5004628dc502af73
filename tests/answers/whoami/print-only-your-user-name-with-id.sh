# -u: the user id, -n: as a name
id -un
