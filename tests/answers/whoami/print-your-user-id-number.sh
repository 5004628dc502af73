# -u: the user ID, as a number
id -u
