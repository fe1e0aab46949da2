using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Gateway.Protocols;

/// <summary>
/// Peeks the TLS ClientHello (RFC 8446 §4.1.2, in records as RFC 8446 §5.1 frames them) at the
/// start of a transparent TLS connection and keeps its server name (RFC 6066 §3). A pure
/// function over bytes: it never consumes, decides, dials or logs, and it allocates nothing.
/// </summary>
/// <remarks>
/// <para>
/// Stateless like <see cref="ConnectRequestReader"/>: every call reads the buffer from its
/// start, so the caller keeps only the buffer (<c>AdvanceTo(buffer.Start, buffer.End)</c>
/// while <see cref="ClientHelloStatus.Incomplete"/>) and, on
/// <see cref="ClientHelloStatus.Complete"/>, relays every peeked byte upstream unchanged.
/// Record headers and the handshake header are checked as soon as they arrive, so a
/// connection that is not TLS is refused from its first byte and a hello declaring more than
/// <see cref="MaxHelloSize"/> from its fourth handshake byte, without waiting for the rest.
/// </para>
/// <para>
/// The hello is parsed in place when its one record lies in the buffer's first segment (the
/// common case). A hello fragmented over several records, or over pipe segments, has its
/// handshake message — only the bytes it declares — copied into an <see cref="ArrayPool{T}"/>
/// array and parsed from there.
/// </para>
/// <para>
/// Strict where leniency would let two readers disagree on the name: exactly one
/// server_name extension with exactly one <c>host_name</c>, every length checked against what
/// encloses it. Not checked here: that the name is a DNS name rather than an IP literal —
/// the caller's canonicaliser refuses those, as it does for CONNECT hosts.
/// </para>
/// </remarks>
internal static partial class ClientHelloReader
{
    /// <summary>The most bytes peeked for one hello, record headers included; a larger hello is <see cref="ClientHelloRejection.TooLarge"/>.</summary>
    public const int MaxHelloSize = 16 * 1024;

    private const int RecordHeaderSize = 5;
    private const int HandshakeHeaderSize = 4;

    // RFC 8446 §5.1: TLSPlaintext.length MUST NOT exceed 2^14.
    private const int MaxRecordLength = 1 << 14;

    private const byte ContentTypeHandshake = 22;
    private const byte HandshakeTypeClientHello = 1;

    /// <summary>
    /// Reads the ClientHello at the start of <paramref name="buffer"/> without consuming it.
    /// <paramref name="hello"/> is reset first and is meaningful only when
    /// <see cref="ClientHelloStatus.Complete"/> is returned; <paramref name="rejection"/> is
    /// <see cref="ClientHelloRejection.None"/> unless <see cref="ClientHelloStatus.Rejected"/> is.
    /// </summary>
    public static ClientHelloStatus TryRead(in ReadOnlySequence<byte> buffer, ref ClientHello hello, out ClientHelloRejection rejection)
    {
        hello.Reset();

        // Fast path: the first record holds the whole handshake message and lies in the first
        // segment. Only what makes it applicable is checked here; every other case, rejections
        // included, is judged by the record walk.
        ReadOnlySpan<byte> span = buffer.FirstSpan;
        if (span.Length >= RecordHeaderSize + HandshakeHeaderSize
            && CheckRecordHeader(span[..RecordHeaderSize], first: true) == ClientHelloRejection.None)
        {
            int recordLength = BinaryPrimitives.ReadUInt16BigEndian(span[3..]);
            int messageLength = ReadUInt24(span[(RecordHeaderSize + 1)..]);
            int end = RecordHeaderSize + HandshakeHeaderSize + messageLength;
            if (span[RecordHeaderSize] == HandshakeTypeClientHello
                && HandshakeHeaderSize + messageLength <= recordLength
                && end <= MaxHelloSize
                && span.Length >= end)
            {
                return ReadHello(span[(RecordHeaderSize + HandshakeHeaderSize)..end], ref hello, out rejection);
            }
        }

        return ReadRecords(buffer, ref hello, out rejection);
    }

    /// <summary>
    /// Whether <paramref name="firstBytes"/> (the first one to three bytes of a connection, or
    /// more) could begin a TLS handshake record: content type 22, then major version 3, then a
    /// minor version 0–4. SSL 3.0 records match, so that <see cref="TryRead"/> reports them as
    /// <see cref="ClientHelloRejection.UnsupportedVersion"/>; SSL 2.0 hellos and empty input do
    /// not. HTTP cannot match: no request line starts with byte 0x16.
    /// </summary>
    public static bool LooksLikeTls(ReadOnlySpan<byte> firstBytes) =>
        firstBytes.Length switch
        {
            0 => false,
            1 => firstBytes[0] == ContentTypeHandshake,
            2 => firstBytes[0] == ContentTypeHandshake && firstBytes[1] == 3,
            _ => firstBytes[0] == ContentTypeHandshake && firstBytes[1] == 3 && firstBytes[2] <= 4,
        };

    /// <summary>Throws for a broken invariant of this reader: a bug, never a property of the input.</summary>
    [DoesNotReturn]
    [StackTraceHidden]
    internal static void ThrowInvariant(string message) => throw new UnreachableException(message);

    // The slow path: walk the records once to learn whether the whole handshake message is
    // there (copying only its 4-byte header), then again to copy the message into a pooled
    // array, and parse that.
    [SkipLocalsInit]
    private static ClientHelloStatus ReadRecords(in ReadOnlySequence<byte> buffer, ref ClientHello hello, out ClientHelloRejection rejection)
    {
        ReadOnlySequence<byte> window = buffer.Length > MaxHelloSize ? buffer.Slice(0, MaxHelloSize) : buffer;
        Span<byte> header = stackalloc byte[HandshakeHeaderSize];
        ClientHelloStatus status = Gather(window, header, out int messageLength, out rejection);
        if (status != ClientHelloStatus.Complete)
        {
            return status;
        }

        byte[] rented = ArrayPool<byte>.Shared.Rent(HandshakeHeaderSize + messageLength);
        try
        {
            Span<byte> message = rented.AsSpan(0, HandshakeHeaderSize + messageLength);
            if (Gather(window, message, out _, out _) != ClientHelloStatus.Complete)
            {
                ThrowInvariant("a hello found complete was not complete on the second walk");
            }

            return ReadHello(message[HandshakeHeaderSize..], ref hello, out rejection);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    // Walks the handshake records at the start of `window`, copying the handshake stream into
    // `destination` as far as it reaches (at least the 4-byte handshake header). Complete once
    // the handshake message the header declares (`messageLength` bytes after it) is all there.
    [SkipLocalsInit]
    private static ClientHelloStatus Gather(
        in ReadOnlySequence<byte> window, Span<byte> destination, out int messageLength, out ClientHelloRejection rejection)
    {
        messageLength = -1;
        Span<byte> recordHeader = stackalloc byte[RecordHeaderSize];
        var reader = new SequenceReader<byte>(window);
        int gathered = 0;
        int recordHeaders = 0;
        while (true)
        {
            int headerBytes = (int)Math.Min(reader.Remaining, RecordHeaderSize);
            Span<byte> seen = recordHeader[..headerBytes];
            reader.TryCopyTo(seen);
            rejection = CheckRecordHeader(seen, first: recordHeaders == 0);
            if (rejection != ClientHelloRejection.None)
            {
                return ClientHelloStatus.Rejected;
            }

            if (headerBytes < RecordHeaderSize)
            {
                return Pending(window.Length, out rejection);
            }

            reader.Advance(RecordHeaderSize);
            recordHeaders++;
            int recordLength = BinaryPrimitives.ReadUInt16BigEndian(recordHeader[3..]);
            int available = (int)Math.Min(recordLength, reader.Remaining);
            int copy = Math.Min(available, destination.Length - gathered);
            if (copy > 0)
            {
                reader.TryCopyTo(destination.Slice(gathered, copy));
            }

            reader.Advance(available);
            gathered += available;

            if (messageLength < 0 && gathered >= 1 && destination[0] != HandshakeTypeClientHello)
            {
                rejection = ClientHelloRejection.NotClientHello;
                return ClientHelloStatus.Rejected;
            }

            if (messageLength < 0 && gathered >= HandshakeHeaderSize)
            {
                messageLength = ReadUInt24(destination[1..]);

                // At least this many bytes are needed: the headers of the records seen so far
                // and the whole message. More records would only add to it.
                if (recordHeaders * RecordHeaderSize + HandshakeHeaderSize + messageLength > MaxHelloSize)
                {
                    rejection = ClientHelloRejection.TooLarge;
                    return ClientHelloStatus.Rejected;
                }
            }

            if (messageLength >= 0 && gathered >= HandshakeHeaderSize + messageLength)
            {
                return ClientHelloStatus.Complete;
            }

            if (available < recordLength)
            {
                return Pending(window.Length, out rejection);
            }
        }
    }

    // The message is not all there yet: wait, unless as many bytes as a hello may take are already here.
    private static ClientHelloStatus Pending(long windowLength, out ClientHelloRejection rejection)
    {
        if (windowLength >= MaxHelloSize)
        {
            rejection = ClientHelloRejection.TooLarge;
            return ClientHelloStatus.Rejected;
        }

        rejection = ClientHelloRejection.None;
        return ClientHelloStatus.Incomplete;
    }

    // Judges the bytes of a record header seen so far (0–5 of them), so a connection that is
    // not TLS is refused on its first byte. `first`: the hello's first record, where a foreign
    // first byte means another protocol rather than a broken hello.
    private static ClientHelloRejection CheckRecordHeader(ReadOnlySpan<byte> header, bool first)
    {
        if (header.Length >= 1 && header[0] != ContentTypeHandshake)
        {
            // RFC 8446 §5.1: handshake messages MUST NOT be interleaved with other record types.
            return !first ? ClientHelloRejection.Malformed
                : (header[0] & 0x80) != 0 ? ClientHelloRejection.SslV2
                : ClientHelloRejection.NotTls;
        }

        if (header.Length >= 2 && header[1] != 3)
        {
            return first ? ClientHelloRejection.NotTls : ClientHelloRejection.Malformed;
        }

        if (header.Length >= 3)
        {
            if (header[2] == 0)
            {
                return ClientHelloRejection.UnsupportedVersion;
            }

            if (header[2] > 4)
            {
                return ClientHelloRejection.Malformed;
            }
        }

        if (header.Length >= RecordHeaderSize)
        {
            // RFC 8446 §5.1: no zero-length handshake fragments, none over 2^14.
            int length = BinaryPrimitives.ReadUInt16BigEndian(header[3..]);
            if (length is 0 or > MaxRecordLength)
            {
                return ClientHelloRejection.Malformed;
            }
        }

        return ClientHelloRejection.None;
    }

    private static int ReadUInt24(ReadOnlySpan<byte> bytes) => (bytes[0] << 16) | (bytes[1] << 8) | bytes[2];
}
