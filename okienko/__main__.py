from okienko.cli import main

main()
