"""ECS's tables: Cloud Assistant commands, tasks and their runs, maintenance attributes and executions,
Cloud Assistant settings, and the queue of run records to deliver. Its part of each version of the schema
(append-only: see store.Migration; assembled by ecsops.emulator.schema).
"""

from __future__ import annotations

from ecsops.emulator.store import Migration

TABLES: tuple[Migration, ...] = (
    Migration(1, """
        CREATE TABLE commands (
            seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, region TEXT NOT NULL,
            name TEXT NOT NULL, description TEXT NOT NULL, type TEXT NOT NULL, content TEXT NOT NULL,
            working_dir TEXT NOT NULL, timeout INTEGER NOT NULL, enable_parameter INTEGER NOT NULL,
            parameter_names TEXT NOT NULL, launcher TEXT NOT NULL, resource_group_id TEXT NOT NULL,
            creation_time TEXT NOT NULL, invoke_times INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX commands_by_region ON commands (region, seq);
    """),
    Migration(2, """
        CREATE TABLE invocations (
            seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, region TEXT NOT NULL,
            command_id TEXT NOT NULL, command_name TEXT NOT NULL, command_type TEXT NOT NULL,
            command_content TEXT NOT NULL, command_description TEXT NOT NULL, enable_parameter INTEGER NOT NULL,
            parameters TEXT NOT NULL, repeat_mode TEXT NOT NULL, frequency TEXT NOT NULL, timeout INTEGER NOT NULL,
            working_dir TEXT NOT NULL, launcher TEXT NOT NULL, username TEXT NOT NULL,
            windows_password_name TEXT NOT NULL, container_id TEXT NOT NULL, container_name TEXT NOT NULL,
            termination_mode TEXT NOT NULL, creation_time TEXT NOT NULL, next_run TEXT
        );
        CREATE INDEX invocations_by_region ON invocations (region, seq);
        CREATE INDEX invocations_due ON invocations (next_run);
        CREATE TABLE invocation_targets (
            invoke_id TEXT NOT NULL, instance_id TEXT NOT NULL, position INTEGER NOT NULL,
            repeats INTEGER NOT NULL DEFAULT 0, stop_time TEXT, PRIMARY KEY (invoke_id, instance_id)
        );
        CREATE INDEX invocation_targets_by_instance ON invocation_targets (instance_id);
        CREATE TABLE invocation_runs (
            seq INTEGER PRIMARY KEY AUTOINCREMENT, region TEXT NOT NULL, invoke_id TEXT NOT NULL,
            instance_id TEXT NOT NULL, repeat INTEGER NOT NULL, start_time TEXT NOT NULL, finish_time TEXT NOT NULL,
            outcome TEXT NOT NULL, exit_code INTEGER NOT NULL, error_code TEXT NOT NULL, error_info TEXT NOT NULL,
            output TEXT NOT NULL, dropped INTEGER NOT NULL, UNIQUE (invoke_id, instance_id, start_time)
        );
        CREATE INDEX invocation_runs_by_target ON invocation_runs (invoke_id, instance_id, seq);
        CREATE INDEX invocation_runs_by_region ON invocation_runs (region, seq);
        CREATE INDEX invocation_runs_by_instance ON invocation_runs (instance_id, seq);
        CREATE TABLE invocation_daily_counts (
            region TEXT NOT NULL, day TEXT NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (region, day)
        );
    """),
    Migration(4, """
        CREATE TABLE maintenance_attributes (
            instance_id TEXT PRIMARY KEY, action TEXT NOT NULL, notify INTEGER NOT NULL,
            window_start TEXT NOT NULL, window_end TEXT NOT NULL
        );
        CREATE TABLE maintenance_executions (
            event_id TEXT PRIMARY KEY, instance_id TEXT NOT NULL, action TEXT NOT NULL, prior_status TEXT NOT NULL,
            started TEXT NOT NULL, finished TEXT
        );
        CREATE TABLE assistant_settings (
            region TEXT NOT NULL, setting_type TEXT NOT NULL, oss TEXT NOT NULL, sls TEXT NOT NULL,
            PRIMARY KEY (region, setting_type)
        );
        CREATE TABLE run_delivery_queue (run_seq INTEGER PRIMARY KEY, finish_time TEXT NOT NULL);
        CREATE INDEX run_delivery_queue_due ON run_delivery_queue (finish_time);
    """),
    # A task's resource group (InvokeCommand's ResourceGroupId): DescribeInvocations filters by it.
    Migration(8, """
        ALTER TABLE invocations ADD COLUMN resource_group_id TEXT NOT NULL DEFAULT '';
    """),
    # A task's OSS output delivery (`oss://bucket/prefix` of the region's InvocationDelivery when it was made).
    Migration(9, """
        ALTER TABLE invocations ADD COLUMN oss_output_delivery TEXT NOT NULL DEFAULT '';
    """),
)
