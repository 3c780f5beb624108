"""The command line, one module per family of commands: `main` (`kpis`, `sample`,
`bench`), `store` (`ingest`, `versions`, `rollback`), `economics` (`cohorts`, `clv`)
and `voice` (`drivers`, `value`, `journeys`, `moved`, `targets`)."""
