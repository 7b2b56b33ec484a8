package io.cellmqtt.simulator;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A hand-driven MQTT server for the answers a real broker will not give on request: a refused
 * CONNACK, a close instead of CONNACK (what AWS does to a client its policy rejects), a close
 * after a PUBLISH, or no acknowledgement at all. One connection at a time, each run by the script.
 */
final class RawBroker implements AutoCloseable {

    static final int CONNECT = 1;
    static final int PUBLISH = 3;

    @FunctionalInterface
    interface Script {
        void run(Connection c) throws IOException;
    }

    /** One accepted connection, seen packet by packet. */
    static final class Connection {
        private final Socket socket;
        private final DataInputStream in;
        private final OutputStream out;

        Connection(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new DataInputStream(socket.getInputStream());
            this.out = socket.getOutputStream();
        }

        /** Reads one whole packet and returns its type (1 CONNECT, 3 PUBLISH...). */
        int readPacket() throws IOException {
            int first = in.readUnsignedByte();
            int length = 0;
            int shift = 0;
            int b;
            do {
                b = in.readUnsignedByte();
                length |= (b & 0x7F) << shift;
                shift += 7;
            } while ((b & 0x80) != 0);
            in.readFully(new byte[length]);
            return first >> 4;
        }

        void expect(int type) throws IOException {
            int got = readPacket();
            if (got != type) {
                throw new IOException("expected packet type " + type + ", got " + got);
            }
        }

        void connAck(int returnCode) throws IOException {
            out.write(new byte[] {0x20, 2, 0, (byte) returnCode});
            out.flush();
        }

        /** Waits until the client closes (or the test ends). */
        void awaitClose() throws IOException {
            try {
                while (true) {
                    readPacket();
                }
            } catch (EOFException e) {
                // the client went away
            }
        }

        void close() throws IOException {
            socket.close();
        }
    }

    private final ServerSocket server;
    private final Thread thread;
    private volatile Socket current;

    RawBroker(Script script) {
        try {
            server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        thread = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    current = s;
                    script.run(new Connection(s));
                } catch (IOException e) {
                    // the script's connection ended (or the server closed): take the next one
                }
            }
        }, "raw-broker");
        thread.setDaemon(true);
        thread.start();
    }

    String url() {
        return "tcp://127.0.0.1:" + server.getLocalPort();
    }

    @Override
    public void close() throws Exception {
        server.close();
        Socket s = current;
        if (s != null) {
            s.close(); // ends a script waiting for the client to go
        }
        thread.join(2000);
    }
}
