// Raw HTTP/1.1 over a loopback socket, for requests fetch will not send (lying Content-Length, broken
// chunked encoding, huge headers). Returns the status code of the answer, or "closed" if the server
// hung up without one.
import net from "node:net";

export function rawRequest(port: number, head: string, body: Buffer | string = "", timeoutMs = 15_000): Promise<number | "closed"> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    let answer = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs / 1000}s to ${head.split("\r\n")[0]}`));
    }, timeoutMs);
    const finish = () => {
      clearTimeout(timer);
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(answer);
      resolve(match ? Number(match[1]) : "closed");
    };
    socket.on("data", (d) => {
      answer += d.toString("latin1");
      if (/^HTTP\/1\.[01] \d{3}/.test(answer)) {
        socket.destroy();
        finish();
      }
    });
    socket.on("error", () => undefined);
    socket.on("close", finish);
    socket.write(head);
    if (body.length) socket.write(body);
  });
}

/** Connection errors that mean "the server refused the upload and closed before taking all of it". */
export const CUT_OFF = ["EPIPE", "ECONNRESET", "UND_ERR_SOCKET"] as const;

/**
 * The status of a request that may be refused mid-upload: the status code, or the connection error's
 * code when the server ended the connection before the client finished sending.
 */
export async function statusOrCutOff(url: string, init: RequestInit): Promise<number | string> {
  try {
    const res = await fetch(url, { ...init, headers: { connection: "close", ...(init.headers as Record<string, string>) } });
    await res.arrayBuffer().catch(() => undefined);
    return res.status;
  } catch (err) {
    return (err as { cause?: { code?: string } }).cause?.code ?? "failed";
  }
}
