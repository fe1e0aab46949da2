using System.Buffers.Binary;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;

namespace Gateway.Dns;

/// <summary>
/// Writes the resolver's answers (RFC 1035 §4.1) into a caller buffer: the gateway's address for
/// A/AAAA, no-data, a minimal SOA/NS for the root, and error codes. The id, OPCODE, RD and the
/// question are echoed (the question byte for byte); RA is set because, to the sandbox, the
/// gateway is its recursive resolver (stubs and dig warn when RA is clear). AA is clear: the
/// answers are a view, not zone data. An OPT record is echoed when the query had one.
/// </summary>
internal static class DnsResponseWriter
{
    /// <summary>TTL of every record: short, so a policy change reaches sandboxes within half a minute.</summary>
    public const uint Ttl = 30;

    /// <summary>The UDP payload size advertised in OPT (the DNS flag day 2020 value: no IP fragmentation).</summary>
    public const ushort EdnsPayloadSize = 1232;

    /// <summary>The classic UDP limit without EDNS (RFC 1035 §4.2.1).</summary>
    public const int UdpLimit = 512;

    /// <summary>A destination of this size holds any answer the writer produces (12 + 259 question + 70 records + 11 OPT).</summary>
    public const int MaxResponseLength = 512;

    private const int OptLength = 11;

    // "gateway.invalid." and "hostmaster.gateway.invalid." (RFC 6761: .invalid never resolves anywhere).
    private static ReadOnlySpan<byte> ServerName => "\u0007gateway\u0007invalid\0"u8;

    private static ReadOnlySpan<byte> Mailbox => "\u000ahostmaster\u0007gateway\u0007invalid\0"u8;

    /// <summary>The largest answer allowed for <paramref name="query"/>: 64 KiB on TCP; 512 on UDP, or the smaller of the OPT size and <see cref="EdnsPayloadSize"/>.</summary>
    public static int LimitFor(in DnsQuery query, bool tcp) =>
        tcp ? ushort.MaxValue : query.HasEdns ? Math.Min((int)query.UdpPayloadSize, EdnsPayloadSize) : UdpLimit;

    /// <summary>One A (4-byte <paramref name="address"/>) or AAAA (16-byte) record for the question; empty <paramref name="address"/> is NOERROR with no answer.</summary>
    public static int WriteAddress(Span<byte> destination, ReadOnlySpan<byte> message, in DnsQuery query, ReadOnlySpan<byte> address, int limit)
    {
        if (address.Length is not (0 or 4 or 16))
        {
            ThrowBadAddress();
        }

        int records = address.IsEmpty ? 0 : RecordHeaderLength(query) + address.Length;
        if (!TryStart(destination, message, query, DnsRcode.NoError, records, limit, out int offset))
        {
            return offset;
        }

        if (!address.IsEmpty)
        {
            offset = WriteRecordHeader(destination, offset, query, address.Length == 4 ? DnsType.A : DnsType.Aaaa, address.Length);
            address.CopyTo(destination[offset..]);
            offset += address.Length;
            SetCount(destination, 6, 1);
        }

        return Finish(destination, offset, query, DnsRcode.NoError);
    }

    /// <summary>The root's SOA or NS (the only non-address types served), naming <c>gateway.invalid.</c>.</summary>
    public static int WriteRoot(Span<byte> destination, ReadOnlySpan<byte> message, in DnsQuery query, int limit)
    {
        Debug.Assert(query.NameLength == 0 && query.Type is DnsType.Soa or DnsType.Ns, "root SOA or NS only");
        bool soa = query.Type == DnsType.Soa;
        int dataLength = soa ? ServerName.Length + Mailbox.Length + 20 : ServerName.Length;
        if (!TryStart(destination, message, query, DnsRcode.NoError, RecordHeaderLength(query) + dataLength, limit, out int offset))
        {
            return offset;
        }

        offset = WriteRecordHeader(destination, offset, query, query.Type, dataLength);
        ServerName.CopyTo(destination[offset..]);
        offset += ServerName.Length;
        if (soa)
        {
            Mailbox.CopyTo(destination[offset..]);
            offset += Mailbox.Length;
            Span<byte> numbers = destination.Slice(offset, 20);
            BinaryPrimitives.WriteUInt32BigEndian(numbers, 1);           // SERIAL
            BinaryPrimitives.WriteUInt32BigEndian(numbers[4..], 3600);   // REFRESH
            BinaryPrimitives.WriteUInt32BigEndian(numbers[8..], 600);    // RETRY
            BinaryPrimitives.WriteUInt32BigEndian(numbers[12..], 86400); // EXPIRE
            BinaryPrimitives.WriteUInt32BigEndian(numbers[16..], Ttl);   // MINIMUM: negative answers live as long as positive ones
            offset += 20;
        }

        SetCount(destination, 6, 1);
        return Finish(destination, offset, query, DnsRcode.NoError);
    }

    /// <summary>An answer without records: REFUSED, FORMERR, NOTIMP or BADVERS; the question is echoed when it was read.</summary>
    public static int WriteError(Span<byte> destination, ReadOnlySpan<byte> message, in DnsQuery query, DnsRcode rcode, int limit)
    {
        TryStart(destination, message, query, rcode, 0, limit, out int offset);
        return Finish(destination, offset, query, rcode);
    }

    // Header and question. False, with the length of a header-and-question answer with TC set,
    // when the records would take the answer past the limit (RFC 1035 §4.2.1; RFC 7766 §5: the
    // client retries over TCP).
    private static bool TryStart(Span<byte> destination, ReadOnlySpan<byte> message, in DnsQuery query, DnsRcode rcode, int recordsLength, int limit, out int offset)
    {
        if (destination.Length < MaxResponseLength)
        {
            ThrowDestinationTooSmall();
        }

        ReadOnlySpan<byte> question = query.QuestionEnd == 0 ? default : query.QuestionOf(message);
        int opt = query.HasEdns ? OptLength : 0;
        bool truncated = DnsQueryReader.HeaderLength + question.Length + recordsLength + opt > limit;
        ushort flags = (ushort)(0x8000 | (query.Flags & 0x7800) | (query.Flags & 0x0100) | 0x0080 | ((int)rcode & 0xF));
        if (truncated)
        {
            flags |= 0x0200;
        }

        Span<byte> header = destination[..DnsQueryReader.HeaderLength];
        BinaryPrimitives.WriteUInt16BigEndian(header, query.Id);
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], flags);
        BinaryPrimitives.WriteUInt16BigEndian(header[4..], (ushort)(question.IsEmpty ? 0 : 1));
        header[6..].Clear();
        question.CopyTo(destination[DnsQueryReader.HeaderLength..]);
        offset = DnsQueryReader.HeaderLength + question.Length;
        return !truncated;
    }

    // The owner is a pointer to the question name at offset 12 (RFC 1035 §4.1.4), or the root byte.
    private static int RecordHeaderLength(in DnsQuery query) => (query.NameLength == 0 ? 1 : 2) + 10;

    private static int WriteRecordHeader(Span<byte> destination, int offset, in DnsQuery query, ushort type, int dataLength)
    {
        if (query.NameLength == 0)
        {
            destination[offset++] = 0;
        }
        else
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], 0xC000 | DnsQueryReader.HeaderLength);
            offset += 2;
        }

        Span<byte> fields = destination.Slice(offset, 10);
        BinaryPrimitives.WriteUInt16BigEndian(fields, type);
        BinaryPrimitives.WriteUInt16BigEndian(fields[2..], DnsType.ClassIn);
        BinaryPrimitives.WriteUInt32BigEndian(fields[4..], Ttl);
        BinaryPrimitives.WriteUInt16BigEndian(fields[8..], (ushort)dataLength);
        return offset + 10;
    }

    // RFC 6891 §6.1.3: our payload size, the upper 8 bits of the 12-bit RCODE, version 0, no
    // flags (DO is clear: nothing here is signed), no options.
    private static int Finish(Span<byte> destination, int offset, in DnsQuery query, DnsRcode rcode)
    {
        if (!query.HasEdns)
        {
            return offset;
        }

        Span<byte> opt = destination.Slice(offset, OptLength);
        opt[0] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(opt[1..], DnsType.Opt);
        BinaryPrimitives.WriteUInt16BigEndian(opt[3..], EdnsPayloadSize);
        opt[5] = (byte)((int)rcode >> 4);
        opt[6..].Clear();
        SetCount(destination, 10, 1);
        return offset + OptLength;
    }

    private static void SetCount(Span<byte> destination, int at, ushort count) =>
        BinaryPrimitives.WriteUInt16BigEndian(destination[at..], count);

    [DoesNotReturn]
    [StackTraceHidden]
    private static void ThrowBadAddress() => throw new ArgumentException("an address is 4 (A) or 16 (AAAA) bytes", "address");

    [DoesNotReturn]
    [StackTraceHidden]
    private static void ThrowDestinationTooSmall() => throw new ArgumentException($"the destination must hold {MaxResponseLength} bytes", "destination");
}
