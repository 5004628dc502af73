# env starts programs, never builtins
env echo --version
