// Builds the app once for every attack file, unless a build already exists in the build folder.
import { ensureBuild } from "./app-server";

export default function setup(): void {
  ensureBuild();
}
