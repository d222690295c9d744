// Runs once when the server starts: open the database and apply migrations, so a broken database or
// migration is reported clearly at start rather than on the first request.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { getOpenDatabase } = await import("./db/client");
  const { errorLogFields, logger } = await import("./lib/logging/logger");
  try {
    const open = await getOpenDatabase();
    logger.info({ database: open.kind }, "database ready");
  } catch (err) {
    logger.error(
      { err: errorLogFields(err) },
      "could not open the database: the server keeps running and answers 503 until the database is reachable; /api/health reports its state",
    );
  }
}
