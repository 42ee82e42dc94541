from hongheo.cli import main

raise SystemExit(main())
