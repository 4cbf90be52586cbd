package dev.parley.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An HTTP/1.1 client on a bare socket, for requests a real client library would normalise or refuse
 * to send (dot segments, encoded slashes, two Host headers, a broken request line) and for answers
 * whose exact header lines matter (a framing header sent twice). The test writes every byte of the
 * request; the answer is read as the server framed it: Content-Length, chunked, or until it closes.
 */
public final class RawHttp {

    private RawHttp() {
    }

    /** An answer as it came off the wire: status, header lines in order (names lower-cased), body. */
    public record Answer(int status, List<String[]> headers, byte[] body) {

        /** Every value of the header, in order. */
        public List<String> all(String name) {
            String n = name.toLowerCase(Locale.ROOT);
            return headers.stream().filter(h -> h[0].equals(n)).map(h -> h[1]).toList();
        }

        /** The header's only value, or null when absent; fails when it was sent more than once. */
        public String header(String name) {
            List<String> values = all(name);
            if (values.size() > 1) {
                throw new AssertionError(name + " sent " + values.size() + " times: " + values);
            }
            return values.isEmpty() ? null : values.get(0);
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** Sends {@code request} (written as is, CRLFs included) to the server of {@code base} and reads one answer. */
    public static Answer send(URI base, String request) {
        return send(base, request.getBytes(StandardCharsets.UTF_8));
    }

    public static Answer send(URI base, byte[] request) {
        return send(null, base, request);
    }

    /** {@link #send(URI, String)} from this local address (e.g. 127.0.0.2, another peer on this host). */
    public static Answer sendFrom(InetAddress local, URI base, String request) {
        return send(local, base, request.getBytes(StandardCharsets.UTF_8));
    }

    private static Answer send(InetAddress local, URI base, byte[] request) {
        try (Socket socket = new Socket(base.getHost(), base.getPort(), local, 0)) {
            socket.setSoTimeout(15_000);
            OutputStream out = socket.getOutputStream();
            out.write(request);
            out.flush();
            return read(socket.getInputStream());
        } catch (IOException e) {
            throw new IllegalStateException("request to " + base + " failed", e);
        }
    }

    /** A request line, a Host header, the given header lines, and the body with its Content-Length when given. */
    public static String request(URI base, String method, String target, String body, String... headers) {
        StringBuilder r = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                .append("Host: ").append(base.getHost()).append(':').append(base.getPort()).append("\r\n");
        for (String h : headers) {
            r.append(h).append("\r\n");
        }
        if (body != null) {
            r.append("Content-Length: ").append(body.getBytes(StandardCharsets.UTF_8).length).append("\r\n");
        }
        r.append("Connection: close\r\n\r\n");
        if (body != null) {
            r.append(body);
        }
        return r.toString();
    }

    /** Reads one answer from a socket the test wrote its request to itself. */
    public static Answer read(InputStream in) throws IOException {
        String statusLine = line(in);
        if (statusLine == null) {
            throw new IOException("the server closed the connection without answering");
        }
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        List<String[]> headers = new ArrayList<>();
        for (String line = line(in); line != null && !line.isEmpty(); line = line(in)) {
            int colon = line.indexOf(':');
            headers.add(new String[] { line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1).strip() });
        }
        Answer head = new Answer(status, headers, new byte[0]);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        List<String> te = head.all("transfer-encoding");
        List<String> cl = head.all("content-length");
        if (status == 101 || status == 204 || status == 304) {
            return head; // no body, whatever the headers say (a 101's connection is the WebSocket's now)
        } else if (!te.isEmpty() && te.get(te.size() - 1).toLowerCase(Locale.ROOT).contains("chunked")) {
            for (int size = Integer.parseInt(line(in).split(";")[0].strip(), 16); size > 0;
                    size = Integer.parseInt(line(in).split(";")[0].strip(), 16)) {
                body.write(in.readNBytes(size));
                line(in);
            }
            for (String trailer = line(in); trailer != null && !trailer.isEmpty(); trailer = line(in)) {
                // trailers are not looked at
            }
        } else if (!cl.isEmpty()) {
            body.write(in.readNBytes(Integer.parseInt(cl.get(0))));
        } else {
            body.write(in.readAllBytes());
        }
        return new Answer(status, headers, body.toByteArray());
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }
}
