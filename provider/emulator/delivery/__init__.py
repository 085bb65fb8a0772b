"""Where Cloud Assistant's records land: the emulated OSS and Log Service, and the log of every delivery.

- `stores`: writing an object to a bucket or an entry to a logstore (each write recorded in
  `record_deliveries`), the emulator's own object table and logstores, and their admin views;
- `external`: objects written through boto3 to an S3-compatible endpoint, once the change that produced them
  has committed;
- `records`: the catch-up step that delivers every finished run record by its region's InvocationDelivery
  settings. The ECS package imports it after its own steps, so runs that a catch-up materialises are
  delivered in that same catch-up; importing this package does not register it.
"""
