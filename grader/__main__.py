from torchdojo.early import main

raise SystemExit(main())
