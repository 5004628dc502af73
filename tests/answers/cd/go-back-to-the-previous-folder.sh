cd -
