# -f: no error for util.o, which is missing
rm -f app.o main.o util.o
