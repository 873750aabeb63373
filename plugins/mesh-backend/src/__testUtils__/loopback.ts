import net from 'node:net';

/** A loopback port that accepts connections and never answers, not even the TLS handshake (a hung apiserver). */
export async function blackHole(): Promise<{ url: string; close: () => void }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer(socket => sockets.add(socket));
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    close: () => {
      sockets.forEach(socket => socket.destroy());
      server.close();
    },
  };
}

/** A loopback URL nothing listens on (a stopped apiserver): connections are refused. */
export async function refusedUrl(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise(resolve => server.close(resolve));
  return `https://127.0.0.1:${port}`;
}
