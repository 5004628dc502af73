# -p: no error when it exists, and nothing inside is touched
mkdir -p backup/daily
