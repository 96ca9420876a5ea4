package io.roomcast.gateway.testing;

import io.roomcast.proto.v1.ClientFrame;
import io.roomcast.proto.v1.ServerFrame;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A WebSocket client on a plain {@link Socket}: the opening handshake written by hand, frames
 * built byte by byte (so they can be wrong in any way RFC 6455 forbids) and read one at a time.
 * What a browser would never send, a test can.
 */
public final class RawWebSocket implements AutoCloseable {

    public static final int FIN = 0x80;
    public static final int CONTINUATION = 0x0;
    public static final int TEXT = 0x1;
    public static final int BINARY = 0x2;
    public static final int CLOSE = 0x8;
    public static final int PING = 0x9;
    public static final int PONG = 0xA;

    /** A frame from the node: its opcode and payload (the node's frames are never fragmented). */
    public record Frame(int opcode, byte[] payload) {
        /** A close frame's status code; 1005 for a close without one. */
        public int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
        }

        public String closeReason() {
            return payload.length > 2 ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
        }
    }

    private final Socket socket = new Socket();
    private final DataInputStream in;
    private final OutputStream out;

    private RawWebSocket(int port, int receiveBufferBytes) throws IOException {
        if (receiveBufferBytes > 0) {
            socket.setReceiveBufferSize(receiveBufferBytes);
        }
        socket.setTcpNoDelay(true); // a byte written alone goes out alone
        socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        socket.setSoTimeout(5000);
        in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1024));
        out = socket.getOutputStream();
    }

    /** A TCP connection to the node, nothing sent yet. */
    public static RawWebSocket connect(int port) throws IOException {
        return new RawWebSocket(port, 0);
    }

    /** Connected and upgraded (fails unless the node answers 101 with the right accept key). */
    public static RawWebSocket open(int port) throws IOException {
        return open(port, 0);
    }

    /** As {@link #open(int)}, with a small receive buffer (a client that reads slowly fills it soon). */
    public static RawWebSocket open(int port, int receiveBufferBytes) throws IOException {
        RawWebSocket client = new RawWebSocket(port, receiveBufferBytes);
        String head = client.request(RawHttp.upgrade(""));
        if (!head.startsWith("HTTP/1.1 101") || !head.contains(acceptKey(RawHttp.KEY))) {
            client.close();
            throw new AssertionError("not upgraded: " + head);
        }
        return client;
    }

    /**
     * Sends an HTTP request with {@code glued} right behind it in the same write (frames sent
     * before the answer came), and returns the response head ("" if the node hung up first).
     */
    public String request(String http, byte[] glued) throws IOException {
        byte[] text = http.getBytes(StandardCharsets.ISO_8859_1);
        byte[] whole = Arrays.copyOf(text, text.length + glued.length);
        System.arraycopy(glued, 0, whole, text.length, glued.length);
        send(whole);
        return readHead();
    }

    /** Sends an HTTP request and returns the response head ("" if the node hung up first). */
    public String request(String http) throws IOException {
        send(http.getBytes(StandardCharsets.ISO_8859_1));
        return readHead();
    }

    private String readHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int tail = 0; // the last four bytes
        while (tail != 0x0D0A0D0A) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
            tail = tail << 8 | b;
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    /** The status code of a response head, 0 if there was none. */
    public static int status(String head) {
        return RawHttp.status(head);
    }

    public void send(byte[] wire) throws IOException {
        send(wire, 0, wire.length);
    }

    /** Writes {@code length} bytes of {@code wire} from {@code offset}, in one write. */
    public void send(byte[] wire, int offset, int length) throws IOException {
        out.write(wire, offset, length);
        out.flush();
    }

    /** Writes {@code wire} one byte per write: a frame the node receives in as many pieces. */
    public void sendByteByByte(byte[] wire) throws IOException {
        for (byte b : wire) {
            out.write(b);
            out.flush();
        }
    }

    public void sendFrame(ClientFrame frame) throws IOException {
        send(frame(FIN | BINARY, frame.toByteArray(), true));
    }

    /** The node's next frame; fails on a masked one (a server never masks). */
    public Frame readFrame() throws IOException {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        if ((b1 & 0x80) != 0) {
            throw new AssertionError("the node sent a masked frame");
        }
        long length = b1 & 0x7F;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        if (length < 0 || length > Integer.MAX_VALUE - 16) {
            throw new AssertionError("the node sent a frame of " + length + " bytes");
        }
        byte[] payload = new byte[(int) length];
        in.readFully(payload);
        return new Frame(b0 & 0x0F, payload);
    }

    public ServerFrame readServerFrame() throws IOException {
        Frame frame = readFrame();
        if (frame.opcode() != BINARY) {
            throw new AssertionError("not a binary frame: opcode " + frame.opcode());
        }
        return ServerFrame.parseFrom(frame.payload());
    }

    /** The next byte, -1 at the end of the stream (the node hung up). */
    public int read() throws IOException {
        return in.read();
    }

    public Socket socket() {
        return socket;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    // ───────────── frames as a client builds them ─────────────

    /** A client frame: masked with a key drawn from the payload's length unless {@code masked} is false. */
    public static byte[] frame(int firstByte, byte[] payload, boolean masked) {
        byte[] mask = null;
        if (masked) {
            mask = new byte[4];
            new Random(payload.length).nextBytes(mask);
        }
        return frame(firstByte, payload, mask, minimalLengthBytes(payload.length), payload.length);
    }

    /** 0, 2 or 8: the extended length field RFC 6455 asks for (0: the 7-bit length alone). */
    public static int minimalLengthBytes(long length) {
        return length < 126 ? 0 : length <= 0xFFFF ? 2 : 8;
    }

    /**
     * A client frame as given, right or wrong: the first byte (FIN, RSV and opcode), a mask key
     * ({@code null}: unmasked), the length field's width ({@code lengthBytes} 0, 2 or 8, minimal
     * or not) holding {@code declaredLength} (which need not be the payload's), then the payload
     * masked with the key.
     */
    public static byte[] frame(int firstByte, byte[] payload, byte[] mask, int lengthBytes, long declaredLength) {
        if (lengthBytes != 0 && lengthBytes != 2 && lengthBytes != 8) {
            throw new IllegalArgumentException("a length field is 0, 2 or 8 bytes: " + lengthBytes);
        }
        int header = 2 + lengthBytes + (mask != null ? 4 : 0);
        byte[] out = new byte[header + payload.length];
        out[0] = (byte) firstByte;
        int maskBit = mask != null ? 0x80 : 0;
        switch (lengthBytes) {
            case 0 -> out[1] = (byte) (maskBit | (int) (declaredLength & 0x7F));
            case 2 -> {
                out[1] = (byte) (maskBit | 126);
                out[2] = (byte) (declaredLength >>> 8);
                out[3] = (byte) declaredLength;
            }
            default -> {
                out[1] = (byte) (maskBit | 127);
                for (int i = 0; i < 8; i++) {
                    out[2 + i] = (byte) (declaredLength >>> (56 - 8 * i));
                }
            }
        }
        if (mask != null) {
            System.arraycopy(mask, 0, out, header - 4, 4);
        }
        for (int i = 0; i < payload.length; i++) {
            out[header + i] = (byte) (mask != null ? payload[i] ^ mask[i & 3] : payload[i]);
        }
        return out;
    }

    /** The parts one after the other: frames sent in one write. */
    public static byte[] concat(byte[]... parts) {
        return concat(List.of(parts));
    }

    /** As {@link #concat(byte[]...)}: one array of the exact size, one copy of each part. */
    public static byte[] concat(List<byte[]> parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] out = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }

    /** A close frame's body: the code's two bytes, then the reason's bytes as given. */
    public static byte[] closeBody(int code, byte[] reason) {
        byte[] body = new byte[2 + reason.length];
        body[0] = (byte) (code >>> 8);
        body[1] = (byte) code;
        System.arraycopy(reason, 0, body, 2, reason.length);
        return body;
    }

    /** The Sec-WebSocket-Accept answer to {@code key} (RFC 6455 4.2.2). */
    public static String acceptKey(String key) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-1").digest(
                    (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII));
            return java.util.Base64.getEncoder().encodeToString(digest);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
