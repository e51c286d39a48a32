// A Parquet file read back with hyparquet, an independent reader (an ES module, so loaded with import()).

/** The file's metadata, the names and physical types of its columns, and its rows as objects. */
export async function readParquet(bytes: Buffer) {
  const { parquetMetadata, parquetReadObjects } = await import('hyparquet');
  const file = new Uint8Array(bytes).buffer;
  const metadata = parquetMetadata(file);
  const leaves = metadata.schema.slice(1);
  return {
    metadata,
    names: leaves.map((element) => element.name),
    types: leaves.map((element) => element.type),
    rows: (await parquetReadObjects({ file })) as Record<string, unknown>[],
  };
}
