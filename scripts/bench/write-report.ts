// npm run bench:report [-- --check]
//
// Regenerates BENCHMARKS.md's table from bench/results/ (see report.ts). --check changes nothing and
// exits 1 when the file is not what the results make.
import { BENCHMARKS_MD, reportOf, writeReport } from "./report";
import { RESULTS_DIR } from "./results";

if (process.argv.includes("--check")) {
  const { current, generated } = reportOf();
  if (current !== generated) {
    console.error(`${BENCHMARKS_MD} is not what ${RESULTS_DIR}/ makes: run npm run bench:report`);
    process.exit(1);
  }
  console.log(`${BENCHMARKS_MD} matches ${RESULTS_DIR}/.`);
} else {
  console.log(writeReport() ? `${BENCHMARKS_MD}: table regenerated from ${RESULTS_DIR}/.` : `${BENCHMARKS_MD} already matches ${RESULTS_DIR}/.`);
}
