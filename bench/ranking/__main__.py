from bench.ranking.run import main

main()
