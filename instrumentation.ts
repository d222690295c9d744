// Runs once when the server starts: open the database and apply migrations, so a broken database or
// migration is reported clearly at start rather than on the first request.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { getOpenDatabase } = await import("./db/client");
  try {
    const open = await getOpenDatabase();
    console.log(`[billing-map] database ready (${open.kind})`);
  } catch (err) {
    console.error(
      `[billing-map] could not open the database: ${err instanceof Error ? err.message : String(err)}\n` +
        "The server keeps running and answers 503 until the database is reachable; /api/health reports its state.",
    );
  }
}
