using System.Buffers.Binary;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;

namespace Gateway.Dns;

/// <summary>
/// Reads one DNS query message (RFC 1035 §4.1) — a whole UDP datagram or one TCP message
/// without its length prefix — and decodes the question name as dotted, lower-cased ASCII into
/// a caller buffer. Pure, bounded by the message length and allocation-free.
/// </summary>
/// <remarks>
/// Strict on purpose: the only client is a sandbox's stub resolver, and anything a stub does not
/// send is either a bug or an attempt to smuggle data. Compression pointers are refused rather
/// than followed: the question is the first name in a query, so a pointer can only point into
/// the header or back into the same name (a loop). No trailing bytes are allowed.
/// </remarks>
internal static class DnsQueryReader
{
    /// <summary>The fixed header (RFC 1035 §4.1.1).</summary>
    public const int HeaderLength = 12;

    /// <summary>The longest dotted name (255 octets on the wire, RFC 1035 §3.1).</summary>
    public const int MaxNameLength = 253;

    /// <summary>The longest label (RFC 1035 §2.3.4).</summary>
    public const int MaxLabelLength = 63;

    private const int MaxWireNameLength = 255;

    /// <summary>Reads <paramref name="message"/>; the name goes to <paramref name="name"/> (at least <see cref="MaxNameLength"/> bytes).</summary>
    public static DnsParseStatus TryRead(ReadOnlySpan<byte> message, Span<byte> name, out DnsQuery query, out DnsRejection rejection)
    {
        if (name.Length < MaxNameLength)
        {
            ThrowNameBufferTooSmall();
        }

        query = default;
        query.UdpPayloadSize = 512;
        if (message.Length < 2)
        {
            rejection = DnsRejection.NoId;
            return DnsParseStatus.Ignored;
        }

        query.Id = BinaryPrimitives.ReadUInt16BigEndian(message);
        if (message.Length >= 3 && (message[2] & 0x80) != 0)
        {
            rejection = DnsRejection.Response;
            return DnsParseStatus.Ignored;
        }

        if (message.Length < HeaderLength)
        {
            return Malformed(ref query, DnsRejection.TruncatedHeader, out rejection);
        }

        query.Flags = BinaryPrimitives.ReadUInt16BigEndian(message[2..]);
        if (((query.Flags >> 11) & 0xF) != 0)
        {
            query.Rcode = DnsRcode.NotImp;
            rejection = DnsRejection.Opcode;
            return DnsParseStatus.Malformed;
        }

        if (BinaryPrimitives.ReadUInt16BigEndian(message[4..]) != 1)
        {
            return Malformed(ref query, DnsRejection.QuestionCount, out rejection);
        }

        ushort additional = BinaryPrimitives.ReadUInt16BigEndian(message[10..]);
        if (BinaryPrimitives.ReadUInt16BigEndian(message[6..]) != 0 || BinaryPrimitives.ReadUInt16BigEndian(message[8..]) != 0 || additional > 1)
        {
            return Malformed(ref query, DnsRejection.RecordCount, out rejection);
        }

        rejection = ReadName(message, HeaderLength, name, out int nameLength, out int offset);
        if (rejection != DnsRejection.None)
        {
            return Malformed(ref query, rejection, out rejection);
        }

        if (message.Length - offset < 4)
        {
            return Malformed(ref query, DnsRejection.TruncatedQuestion, out rejection);
        }

        query.NameLength = nameLength;
        query.Type = BinaryPrimitives.ReadUInt16BigEndian(message[offset..]);
        query.Class = BinaryPrimitives.ReadUInt16BigEndian(message[(offset + 2)..]);
        offset += 4;
        query.QuestionEnd = offset;
        if (additional == 1)
        {
            rejection = ReadOpt(message, ref offset, ref query);
            if (rejection != DnsRejection.None)
            {
                return Malformed(ref query, rejection, out rejection);
            }
        }

        if (offset != message.Length)
        {
            return Malformed(ref query, DnsRejection.TrailingBytes, out rejection);
        }

        return DnsParseStatus.Complete;
    }

    // Labels until the zero byte, each copied lower-cased with a dot before all but the first.
    // Every step consumes at least one byte, so the loop is bounded by the message length.
    private static DnsRejection ReadName(ReadOnlySpan<byte> message, int start, Span<byte> name, out int length, out int end)
    {
        length = 0;
        end = start;
        int offset = start;
        while (true)
        {
            if (offset >= message.Length)
            {
                return DnsRejection.TruncatedQuestion;
            }

            int label = message[offset];
            if (label == 0)
            {
                end = offset + 1;
                return DnsRejection.None;
            }

            switch (label & 0xC0)
            {
                case 0xC0:
                    return DnsRejection.CompressionPointer;
                case 0x40:
                case 0x80:
                    return DnsRejection.LabelType;
            }

            // Wire length so far (labels with their length bytes) plus this label and the root byte.
            if (offset - start + 1 + label + 1 > MaxWireNameLength)
            {
                return DnsRejection.NameTooLong;
            }

            offset++;
            if (message.Length - offset < label)
            {
                return DnsRejection.TruncatedQuestion;
            }

            if (length > 0)
            {
                name[length++] = (byte)'.';
            }

            Debug.Assert(length + label <= MaxNameLength, "wire length 255 bounds the dotted name at 253");
            ReadOnlySpan<byte> bytes = message.Slice(offset, label);
            Span<byte> target = name.Slice(length, label);
            for (int i = 0; i < bytes.Length; i++)
            {
                byte b = bytes[i];

                // A dot inside a label would make one label look like two to the policy; controls,
                // space and non-ASCII are never in a name a sandbox may reach.
                if (b <= (byte)' ' || b >= 0x7F || b == (byte)'.')
                {
                    return DnsRejection.NameByte;
                }

                target[i] = (uint)(b - 'A') <= 'Z' - 'A' ? (byte)(b | 0x20) : b;
            }

            length += label;
            offset += label;
        }
    }

    // RFC 6891 §6.1.2: owner the root, TYPE 41, CLASS the UDP payload size, TTL extended RCODE,
    // version and flags, then RDLENGTH bytes of options (skipped: none is acted on).
    private static DnsRejection ReadOpt(ReadOnlySpan<byte> message, ref int offset, ref DnsQuery query)
    {
        if (message.Length - offset < 11 || message[offset] != 0 || BinaryPrimitives.ReadUInt16BigEndian(message[(offset + 1)..]) != DnsType.Opt)
        {
            return DnsRejection.BadOpt;
        }

        ushort size = BinaryPrimitives.ReadUInt16BigEndian(message[(offset + 3)..]);
        byte version = message[offset + 6];
        int dataLength = BinaryPrimitives.ReadUInt16BigEndian(message[(offset + 9)..]);
        offset += 11;
        if (message.Length - offset < dataLength)
        {
            return DnsRejection.BadOpt;
        }

        offset += dataLength;
        query.HasEdns = true;
        query.EdnsVersion = version;

        // Values under 512 are treated as 512 (RFC 6891 §6.2.5).
        query.UdpPayloadSize = Math.Max(size, (ushort)512);
        return DnsRejection.None;
    }

    private static DnsParseStatus Malformed(ref DnsQuery query, DnsRejection reason, out DnsRejection rejection)
    {
        query.Rcode = DnsRcode.FormErr;
        query.QuestionEnd = 0;
        rejection = reason;
        return DnsParseStatus.Malformed;
    }

    [DoesNotReturn]
    [StackTraceHidden]
    private static void ThrowNameBufferTooSmall() =>
        throw new ArgumentException($"the name buffer must hold {MaxNameLength} bytes", "name");
}
