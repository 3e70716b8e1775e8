package dev.gatehouse.it;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** DNS queries for UDP tests: with {@code dig} (bind9-dnsutils), and by hand over a socket the test holds. */
final class Dig {

    private Dig() {
    }

    /**
     * {@code dig @127.0.0.1 -p <port> example.test A +short}, one try of one second: the address answered, or null
     * when there was no answer.
     */
    static String query(int port) {
        try {
            Process dig = new ProcessBuilder("dig", "@127.0.0.1", "-p", String.valueOf(port), Dnsmasq.NAME, "A",
                    "+short", "+tries=1", "+time=1").redirectErrorStream(true).start();
            if (!dig.waitFor(5, TimeUnit.SECONDS)) {
                dig.destroyForcibly();
                return null;
            }
            String out = new String(dig.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
            return dig.exitValue() == 0 && out.matches("[0-9.]+") ? out : null;
        } catch (IOException e) {
            throw new AssertionError("dig could not run: apt-get install bind9-dnsutils (test.sh does)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** An A query for {@code example.test} with the given id, as a client puts it in a datagram. */
    static byte[] question(int id) {
        byte[] name = "\u0007example\u0004test\u0000".getBytes(StandardCharsets.US_ASCII);
        byte[] query = new byte[12 + name.length + 4];
        query[0] = (byte) (id >> 8);
        query[1] = (byte) id;
        query[2] = 0x01;   // recursion desired
        query[5] = 1;      // one question
        System.arraycopy(name, 0, query, 12, name.length);
        query[12 + name.length + 1] = 1;   // type A
        query[12 + name.length + 3] = 1;   // class IN
        return query;
    }

    /**
     * Sends {@link #question} over {@code socket} to {@code port} and returns the address of the answer, or null
     * when none came within the socket's timeout.
     */
    static String ask(DatagramSocket socket, int port, int id) throws IOException {
        byte[] question = question(id);
        socket.send(new DatagramPacket(question, question.length, InetAddress.getLoopbackAddress(), port));
        DatagramPacket answer = new DatagramPacket(new byte[512], 512);
        try {
            socket.receive(answer);
        } catch (SocketTimeoutException e) {
            return null;
        }
        byte[] data = answer.getData();
        int length = answer.getLength();
        int answers = ((data[6] & 0xff) << 8) | (data[7] & 0xff);
        int answeredId = ((data[0] & 0xff) << 8) | (data[1] & 0xff);
        if (answeredId != (id & 0xffff) || answers != 1 || length < 16) {
            throw new AssertionError("unexpected DNS answer (id " + answeredId + ", " + answers + " answers)");
        }
        // One A record and nothing after it: its address is the last four bytes.
        return (data[length - 4] & 0xff) + "." + (data[length - 3] & 0xff) + "." + (data[length - 2] & 0xff) + "."
                + (data[length - 1] & 0xff);
    }
}
