# >> appends; > would empty the file first
echo eggs >> shopping.txt
