package dev.parley.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client on a bare socket, for what well-behaved clients never do: stop reading, cut
 * the connection with a TCP reset or without a close frame, send frames as fragments of any size.
 * Written by hand so that each byte on the wire is the test's choice.
 */
public final class RawWebSocket implements AutoCloseable {

    private final Socket socket;
    private final OutputStream out;
    private volatile int pings;

    private RawWebSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
    }

    /** Opens {@code /ws} with the token in the Authorization header; fails unless the server answers 101. */
    public static RawWebSocket open(URI ws, String token) {
        try {
            Socket socket = new Socket(ws.getHost(), ws.getPort());
            socket.setSoTimeout(15_000);
            byte[] nonce = new byte[16];
            ThreadLocalRandom.current().nextBytes(nonce);
            String request = "GET " + ws.getPath() + " HTTP/1.1\r\n"
                    + "Host: " + ws.getHost() + ":" + ws.getPort() + "\r\n"
                    + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\n"
                    + "Sec-WebSocket-Version: 13\r\n"
                    + "Authorization: Bearer " + token + "\r\n\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            String head = readHead(socket.getInputStream());
            if (!head.startsWith("HTTP/1.1 101")) {
                socket.close();
                throw new IllegalStateException("upgrade refused: " + head.lines().findFirst().orElse(""));
            }
            return new RawWebSocket(socket);
        } catch (IOException e) {
            throw new IllegalStateException("cannot open " + ws, e);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int b;
        while (head.indexOf("\r\n\r\n") < 0 && (b = in.read()) >= 0) {
            head.append((char) b);
        }
        return head.toString();
    }

    /** One whole text frame. */
    public void sendText(String text) throws IOException {
        frame(0x1, true, text.getBytes(StandardCharsets.UTF_8));
    }

    /** One whole text frame of the test's own bytes, UTF-8 or not. */
    public void sendTextBytes(byte[] payload) throws IOException {
        frame(0x1, true, payload);
    }

    /** One frame of a fragmented text message: the first has opcode text, the rest continuation. */
    public void sendFragment(byte[] payload, boolean first, boolean last) throws IOException {
        frame(first ? 0x1 : 0x0, last, payload);
    }

    /**
     * The start of a text frame announcing {@code length} payload bytes, followed by only the first
     * {@code sent} of them: the rest never comes.
     */
    public void sendUnfinishedFrame(int length, int sent) throws IOException {
        byte[] payload = new byte[length];
        Arrays.fill(payload, (byte) 'x');
        byte[] whole = encode(0x1, true, payload);
        synchronized (out) {
            out.write(whole, 0, whole.length - length + sent);
            out.flush();
        }
    }

    private void frame(int opcode, boolean fin, byte[] payload) throws IOException {
        byte[] frame = encode(opcode, fin, payload);
        synchronized (out) {
            out.write(frame);
            out.flush();
        }
    }

    private static byte[] encode(int opcode, boolean fin, byte[] payload) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
        frame.write((fin ? 0x80 : 0) | opcode);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length < 65536) {
            frame.write(0x80 | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length);
        } else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >>> shift));
            }
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        frame.write(mask, 0, 4);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i & 3]);
        }
        return frame.toByteArray();
    }

    /**
     * The next text message from the server (control frames are skipped); fails if the server closes
     * first or nothing comes within the socket's timeout.
     */
    public String readText() throws IOException {
        while (true) {
            Frame frame = readFrame();
            if (frame == null) {
                throw new IOException("connection closed");
            }
            if (frame.opcode() == 0x8) {
                throw new IOException("closed by the server with " + frame.closeCode());
            }
            if (frame.opcode() == 0x1) { // the server does not fragment its messages
                return new String(frame.payload(), StandardCharsets.UTF_8);
            }
        }
    }

    /** One frame from the server: its opcode and payload. */
    private record Frame(int opcode, byte[] payload) {
        int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
        }
    }

    // The server's next frame, or null when the connection ends first.
    private Frame readFrame() throws IOException {
        InputStream in = socket.getInputStream();
        int first = in.read();
        int second = in.read();
        if (first < 0 || second < 0) {
            return null;
        }
        long length = second & 0x7f;
        if (length == 126) {
            length = (in.read() << 8) | in.read();
        } else if (length == 127) {
            length = 0;
            for (int i = 0; i < 8; i++) {
                length = (length << 8) | in.read();
            }
        }
        return new Frame(first & 0x0f, in.readNBytes((int) length));
    }

    /**
     * Reads the server's frames until its close frame and returns the close code; 1006 when the
     * connection ends without one, as a browser reports it.
     */
    public int awaitCloseCode() {
        return readUntilClose(false);
    }

    /** {@link #awaitCloseCode()}, answering each of the server's pings with a pong meanwhile, as browsers do. */
    public int awaitCloseCodeAnsweringPings() {
        return readUntilClose(true);
    }

    /** How many pings the server has sent, as counted by the last read until close. */
    public int pingsSeen() {
        return pings;
    }

    private int readUntilClose(boolean answerPings) {
        try {
            while (true) {
                Frame frame = readFrame();
                if (frame == null) {
                    return 1006;
                }
                if (frame.opcode() == 0x9) {
                    pings++;
                    if (answerPings) {
                        frame(0xA, true, frame.payload());
                    }
                }
                if (frame.opcode() == 0x8) {
                    return frame.closeCode();
                }
            }
        } catch (IOException e) {
            return 1006;
        }
    }

    /** Cuts the connection with a TCP reset, as a crashed client or a dropped mobile link does. */
    public void reset() {
        try {
            socket.setSoLinger(true, 0);
            socket.close();
        } catch (IOException e) {
            // already gone
        }
    }

    /** Closes the TCP connection without a WebSocket close frame. */
    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // already gone
        }
    }
}
