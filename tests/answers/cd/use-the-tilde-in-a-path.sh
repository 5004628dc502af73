# ~ expands to the home folder, so no ..s are needed
cd ~/projects/
