type -a echo
