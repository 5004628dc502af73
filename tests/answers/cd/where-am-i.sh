/bin/pwd
