from psm_tui.cli import main

main()
