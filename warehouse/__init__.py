"""The DuckDB warehouse: schema and views, loading, conflict detection, review, reports.

    db        open_writer(path) / open_reader(path), migrate, WarehouseError
    load      start_run, finish_run, upsert_sources, log_fetches, load/save_validators,
              load_articles, replace_facts, stored_articles
    rules     agreement rules and conflict classes (pure functions)
    conflicts detect_conflicts
    review    resolve, list_conflicts
    report    render_report, write_report, write_run_report
    sql       run_query, export_parquet, format_rows
"""
