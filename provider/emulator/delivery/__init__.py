"""Where Cloud Assistant's records land: the emulated OSS and Log Service, and the log of every delivery.

- `stores`: writing an object to a bucket or an entry to a logstore (each write recorded in
  `record_deliveries`), the emulator's own object table and logstores, and their admin views;
- `external`: objects written through boto3 to an S3-compatible endpoint, once the change that produced them
  has committed;
- `models`: the rows of those tables and every query on them (`tables` creates them);
What decides which run record goes where, and when, is ECS's (ecsops.emulator.ecs.record_delivery, a catch-up
step of the "deliveries" phase): this package is below it and imports no product.
"""
