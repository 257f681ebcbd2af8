from grader.early import main

raise SystemExit(main())
