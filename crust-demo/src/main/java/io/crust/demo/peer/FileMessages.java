package io.crust.demo.peer;

import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.charset.CharacterCodingException;

/**
 * How the demo peer sends a file over a Crust peer connection: as ordinary messages, each starting with
 * a zero byte (which typed text never does, so any other message is a text message in UTF-8).
 *
 * <pre>
 * Header, first message of a transfer:
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |       0       |      'F'      |      'H'      |  version = 1  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                   transfer id (64 bits)                       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                   file size in bytes (64 bits)                |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                   SHA-256 of the file (32 bytes)              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   name length (1 to 255)      |   name, UTF-8 ...             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Chunk, the file's bytes in order:
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |       0       |      'F'      |      'C'      |  version = 1  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                   transfer id (64 bits)                       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                   offset of the first byte (64 bits)          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                   data, to the end of the message ...         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Abort: 0 'F' 'A' 1, transfer id: the sender gave up; the receiver deletes what it has.
 * Result: 0 'F' 'R' 1, transfer id, 1 byte (1: saved and verified, 0: refused or damaged): the
 *         receiver's answer, so the sender reports a file as sent only once it is safe on the other side.
 * </pre>
 * All integers are big-endian. The receiver trusts none of it: see {@link FileReceiver}.
 */
final class FileMessages {
    static final int VERSION = 1;
    static final int SHA256_BYTES = 32;
    static final int MAX_NAME_BYTES = 255;
    static final int HEADER_FIXED_BYTES = 4 + 8 + 8 + SHA256_BYTES + 2;
    static final int CHUNK_HEADER_BYTES = 4 + 8 + 8;
    private static final byte KIND_HEADER = 'H';
    private static final byte KIND_CHUNK = 'C';
    private static final byte KIND_ABORT = 'A';
    private static final byte KIND_RESULT = 'R';

    private FileMessages() {
    }

    /** A decoded file message. */
    sealed interface FileMessage {
        long transferId();
    }

    record Header(long transferId, long size, byte[] sha256, String name) implements FileMessage {
    }

    /** {@code data} is a view of the received message from {@code position} to {@code limit}. */
    record Chunk(long transferId, long offset, ByteBuffer data) implements FileMessage {
    }

    record Abort(long transferId) implements FileMessage {
    }

    record Result(long transferId, boolean saved) implements FileMessage {
    }

    /** Thrown for a message that starts like a file message but is malformed. */
    static final class MalformedFileMessage extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedFileMessage(String message) {
            super(message);
        }
    }

    /** True if the message is a file message (starts with a zero byte), false if it is text. */
    static boolean isFileMessage(byte[] message) {
        return message.length > 0 && message[0] == 0;
    }

    static byte[] header(long transferId, long size, byte[] sha256, String name) {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        if (nameBytes.length == 0 || nameBytes.length > MAX_NAME_BYTES || sha256.length != SHA256_BYTES || size < 0) {
            throw new IllegalArgumentException("file header: bad name, size or hash");
        }
        return ByteBuffer.allocate(HEADER_FIXED_BYTES + nameBytes.length)
                .put((byte) 0).put((byte) 'F').put(KIND_HEADER).put((byte) VERSION)
                .putLong(transferId).putLong(size).put(sha256)
                .putShort((short) nameBytes.length).put(nameBytes).array();
    }

    /** A chunk message with room for {@code dataBytes}; the caller fills the data after {@link #CHUNK_HEADER_BYTES}. */
    static ByteBuffer chunk(long transferId, long offset, int dataBytes) {
        return ByteBuffer.allocate(CHUNK_HEADER_BYTES + dataBytes)
                .put((byte) 0).put((byte) 'F').put(KIND_CHUNK).put((byte) VERSION)
                .putLong(transferId).putLong(offset);
    }

    static byte[] abort(long transferId) {
        return ByteBuffer.allocate(12).put((byte) 0).put((byte) 'F').put(KIND_ABORT).put((byte) VERSION)
                .putLong(transferId).array();
    }

    static byte[] result(long transferId, boolean saved) {
        return ByteBuffer.allocate(13).put((byte) 0).put((byte) 'F').put(KIND_RESULT).put((byte) VERSION)
                .putLong(transferId).put((byte) (saved ? 1 : 0)).array();
    }

    /** Decodes a message for which {@link #isFileMessage} is true. */
    static FileMessage decode(byte[] message) throws MalformedFileMessage {
        if (message.length < 12 || message[1] != 'F' || message[3] != VERSION) {
            throw new MalformedFileMessage("not a file message of version " + VERSION);
        }
        ByteBuffer in = ByteBuffer.wrap(message);
        in.position(4);
        long transferId = in.getLong();
        switch (message[2]) {
            case KIND_HEADER -> {
                if (message.length < HEADER_FIXED_BYTES) {
                    throw new MalformedFileMessage("file header of " + message.length + " bytes is too short");
                }
                long size = in.getLong();
                if (size < 0) {
                    throw new MalformedFileMessage("file size " + size + " is negative");
                }
                byte[] sha256 = new byte[SHA256_BYTES];
                in.get(sha256);
                int nameBytes = in.getShort() & 0xffff;
                if (nameBytes == 0 || nameBytes > MAX_NAME_BYTES || nameBytes != in.remaining()) {
                    throw new MalformedFileMessage("file name of " + nameBytes + " bytes does not fit the header");
                }
                String name;
                try {
                    name = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT).decode(in).toString();
                } catch (CharacterCodingException e) {
                    throw new MalformedFileMessage("file name is not UTF-8");
                }
                return new Header(transferId, size, sha256, name);
            }
            case KIND_CHUNK -> {
                if (message.length < CHUNK_HEADER_BYTES) {
                    throw new MalformedFileMessage("file chunk of " + message.length + " bytes is too short");
                }
                long offset = in.getLong();
                return new Chunk(transferId, offset, in.slice());
            }
            case KIND_ABORT -> {
                return new Abort(transferId);
            }
            case KIND_RESULT -> {
                if (message.length != 13 || (message[12] & 0xfe) != 0) {
                    throw new MalformedFileMessage("malformed file result");
                }
                return new Result(transferId, message[12] == 1);
            }
            default -> throw new MalformedFileMessage("unknown file message kind " + message[2]);
        }
    }
}
