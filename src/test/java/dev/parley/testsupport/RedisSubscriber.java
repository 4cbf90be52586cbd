package dev.parley.testsupport;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A bare Redis client subscribed to one channel, recording every message published on it: counts
 * what Parley really publishes, independent of what its own subscribers make of it.
 */
public final class RedisSubscriber implements AutoCloseable {

    private final Socket socket;
    private final List<String> messages = new CopyOnWriteArrayList<>();

    private RedisSubscriber(Socket socket) {
        this.socket = socket;
    }

    /** Subscribes to {@code channel} on the local Redis; returns once Redis confirmed it. */
    public static RedisSubscriber subscribe(String host, int port, String channel) {
        try {
            Socket socket = new Socket(host, port);
            byte[] name = channel.getBytes(StandardCharsets.UTF_8);
            String command = "*2\r\n$9\r\nSUBSCRIBE\r\n$" + name.length + "\r\n" + channel + "\r\n";
            socket.getOutputStream().write(command.getBytes(StandardCharsets.UTF_8));
            RedisSubscriber subscriber = new RedisSubscriber(socket);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            subscriber.readPush(in); // the subscribe confirmation
            Thread reader = new Thread(() -> {
                try {
                    while (true) {
                        List<String> push = subscriber.readPush(in);
                        if (push.size() == 3 && "message".equals(push.get(0))) {
                            subscriber.messages.add(push.get(2));
                        }
                    }
                } catch (IOException e) {
                    // closed
                }
            }, "redis-subscriber");
            reader.setDaemon(true);
            reader.start();
            return subscriber;
        } catch (IOException e) {
            throw new IllegalStateException("cannot subscribe to " + channel, e);
        }
    }

    /** Publishes {@code payload} on {@code channel} of the Redis at host:port, as another instance would. */
    public static void publish(String host, int port, String channel, String payload) {
        try (Socket socket = new Socket(host, port)) {
            byte[] name = channel.getBytes(StandardCharsets.UTF_8);
            byte[] body = payload.getBytes(StandardCharsets.UTF_8);
            ByteArrayOutputStream command = new ByteArrayOutputStream();
            command.write(("*3\r\n$7\r\nPUBLISH\r\n$" + name.length + "\r\n").getBytes(StandardCharsets.UTF_8));
            command.write(name);
            command.write(("\r\n$" + body.length + "\r\n").getBytes(StandardCharsets.UTF_8));
            command.write(body);
            command.write("\r\n".getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().write(command.toByteArray());
            String reply = line(new BufferedInputStream(socket.getInputStream()));
            if (!reply.startsWith(":")) {
                throw new IOException("PUBLISH answered " + reply);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot publish on " + channel, e);
        }
    }

    /** Every message published on the channel since the subscription, in order. */
    public List<String> messages() {
        return messages;
    }

    // A push is an array of bulk strings or integers: *3 $7 message $<n> channel $<n> payload.
    private List<String> readPush(InputStream in) throws IOException {
        String head = line(in);
        if (!head.startsWith("*")) {
            throw new IOException("unexpected reply " + head);
        }
        int n = Integer.parseInt(head.substring(1));
        List<String> items = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String item = line(in);
            if (item.startsWith("$")) {
                int length = Integer.parseInt(item.substring(1));
                items.add(new String(in.readNBytes(length), StandardCharsets.UTF_8));
                line(in);
            } else {
                items.add(item.substring(1));
            }
        }
        return items;
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new IOException("closed");
            }
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
