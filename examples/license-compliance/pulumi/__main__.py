"""License limits and discovery rules as code (License Manager exists in the ecsops emulator only)."""

import pulumi

from ecsops.resources import LicenseTask

windows = LicenseTask("windows-server", name="windows-server-datacenter",
                      description="Windows Server datacenter edition, licensed per vCPU", license_type="vCPU",
                      limit=16, discovery_rules=[{"product": "Windows Server"}])
sql = LicenseTask("sql-server-2017", name="sql-server-2017", description="SQL Server 2017 standard, per instance",
                  license_type="Instance", limit=2, discovery_rules=[{"product": "SQL Server", "version": "2017"}])

pulumi.export("windowsVcpusConsumed", windows.consumed)
pulumi.export("sqlInstancesTracked", sql.tracked_count)
