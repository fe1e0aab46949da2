using System.Text;
using Gateway.Dns;
using static Gateway.Tests.Dns.DnsTestMessages;

namespace Gateway.Tests.Dns;

public sealed class DnsQueryReaderTests
{
    public static TheoryData<string, byte[], string, ushort, bool> ValidQueries => new()
    {
        { "A", Query("api.example.test"), "api.example.test", DnsType.A, false },
        { "AAAA with EDNS", Query("api.example.test", DnsType.Aaaa, edns: true), "api.example.test", DnsType.Aaaa, true },
        { "uppercase is lower-cased", Query("API.Example.TEST"), "api.example.test", DnsType.A, false },
        { "root SOA", Query(".", DnsType.Soa), "", DnsType.Soa, false },
        { "one label", Query("localhost"), "localhost", DnsType.A, false },
        { "63-byte label", Query(new string('a', 63) + ".example.test"), new string('a', 63) + ".example.test", DnsType.A, false },
        { "253-character name", Query(LongName(253)), LongName(253), DnsType.A, false },
        { "underscore and hyphen kept", Query("_srv.my-host.example.test", 33), "_srv.my-host.example.test", 33, false },
        { "EDNS with an option", [.. Patch(Query("api.example.test"), 11, 1), 0, 0, 41, 0x10, 0, 0, 0, 0x80, 0, 0, 4, 0, 10, 0, 0], "api.example.test", DnsType.A, true },
    };

    public static TheoryData<string, byte[], string, string> MalformedQueries => new()
    {
        { "empty", [], nameof(DnsParseStatus.Ignored), nameof(DnsRejection.NoId) },
        { "one byte", [0x12], nameof(DnsParseStatus.Ignored), nameof(DnsRejection.NoId) },
        { "truncated header", Query("api.example.test")[..11], nameof(DnsParseStatus.Malformed), nameof(DnsRejection.TruncatedHeader) },
        { "response bit set", Patch(Query("api.example.test"), 2, 0x81), nameof(DnsParseStatus.Ignored), nameof(DnsRejection.Response) },
        { "opcode STATUS", Patch(Query("api.example.test"), 2, 0x11), nameof(DnsParseStatus.Malformed), nameof(DnsRejection.Opcode) },
        { "QDCOUNT 0", Patch(Query("api.example.test"), 5, 0), nameof(DnsParseStatus.Malformed), nameof(DnsRejection.QuestionCount) },
        { "QDCOUNT 2", Patch(Query("api.example.test"), 5, 2), nameof(DnsParseStatus.Malformed), nameof(DnsRejection.QuestionCount) },
        { "ANCOUNT 1", Patch(Query("api.example.test"), 7, 1), nameof(DnsParseStatus.Malformed), nameof(DnsRejection.RecordCount) },
        { "NSCOUNT 1", Patch(Query("api.example.test"), 9, 1), nameof(DnsParseStatus.Malformed), nameof(DnsRejection.RecordCount) },
        { "ARCOUNT 2", Patch(Query("api.example.test", edns: true), 11, 2), nameof(DnsParseStatus.Malformed), nameof(DnsRejection.RecordCount) },
        { "ARCOUNT 1 without a record", Patch(Query("api.example.test"), 11, 1), nameof(DnsParseStatus.Malformed), nameof(DnsRejection.BadOpt) },
        { "additional record not OPT", Patch(Query("api.example.test", edns: true), 36, 1), nameof(DnsParseStatus.Malformed), nameof(DnsRejection.BadOpt) },
        { "OPT data past the end", Patch(Query("api.example.test", edns: true), 44, 9), nameof(DnsParseStatus.Malformed), nameof(DnsRejection.BadOpt) },
        { "question cut in the name", Query("api.example.test")[..20], nameof(DnsParseStatus.Malformed), nameof(DnsRejection.TruncatedQuestion) },
        { "question without type and class", Query("api.example.test")[..^4], nameof(DnsParseStatus.Malformed), nameof(DnsRejection.TruncatedQuestion) },
        { "question without class", Query("api.example.test")[..^2], nameof(DnsParseStatus.Malformed), nameof(DnsRejection.TruncatedQuestion) },
        { "label over 63", Query(new string('a', 64) + ".example.test"), nameof(DnsParseStatus.Malformed), nameof(DnsRejection.LabelType) },
        { "name over 253", Query(LongName(254)), nameof(DnsParseStatus.Malformed), nameof(DnsRejection.NameTooLong) },
        { "pointer loop (to itself)", Hex("1234 0100 0001 0000 0000 0000 c00c 0001 0001"), nameof(DnsParseStatus.Malformed), nameof(DnsRejection.CompressionPointer) },
        { "pointer back into the name", Hex("1234 0100 0001 0000 0000 0000 0361 7069 c00c 0001 0001"), nameof(DnsParseStatus.Malformed), nameof(DnsRejection.CompressionPointer) },
        { "forward pointer", Hex("1234 0100 0001 0000 0000 0000 c010 0001 0001 0361 7069 00"), nameof(DnsParseStatus.Malformed), nameof(DnsRejection.CompressionPointer) },
        { "pointer into the header", Hex("1234 0100 0001 0000 0000 0000 0361 7069 c002 0001 0001"), nameof(DnsParseStatus.Malformed), nameof(DnsRejection.CompressionPointer) },
        { "extended label type 0x40", Hex("1234 0100 0001 0000 0000 0000 4161 00 0001 0001"), nameof(DnsParseStatus.Malformed), nameof(DnsRejection.LabelType) },
        { "dot inside a label", Hex("1234 0100 0001 0000 0000 0000 0361 2e62 00 0001 0001"), nameof(DnsParseStatus.Malformed), nameof(DnsRejection.NameByte) },
        { "space inside a label", Hex("1234 0100 0001 0000 0000 0000 0361 2062 00 0001 0001"), nameof(DnsParseStatus.Malformed), nameof(DnsRejection.NameByte) },
        { "NUL inside a label", Hex("1234 0100 0001 0000 0000 0000 0361 0062 00 0001 0001"), nameof(DnsParseStatus.Malformed), nameof(DnsRejection.NameByte) },
        { "non-ASCII label", Hex("1234 0100 0001 0000 0000 0000 02c3 a900 0001 0001"), nameof(DnsParseStatus.Malformed), nameof(DnsRejection.NameByte) },
        { "trailing garbage", [.. Query("api.example.test"), 0xFF], nameof(DnsParseStatus.Malformed), nameof(DnsRejection.TrailingBytes) },
        { "trailing garbage after OPT", [.. Query("api.example.test", edns: true), 0], nameof(DnsParseStatus.Malformed), nameof(DnsRejection.TrailingBytes) },
    };

    [Theory]
    [MemberData(nameof(ValidQueries))]
    public void ValidQuery_IsReadWithNameTypeAndEdns(string reason, byte[] message, string name, ushort type, bool edns)
    {
        byte[] buffer = new byte[DnsQueryReader.MaxNameLength];
        DnsParseStatus status = DnsQueryReader.TryRead(message, buffer, out DnsQuery query, out DnsRejection rejection);
        Assert.True(status == DnsParseStatus.Complete, $"{reason}: {status} {rejection}");
        Assert.Equal(DnsRejection.None, rejection);
        Assert.Equal(name, Encoding.ASCII.GetString(buffer, 0, query.NameLength));
        Assert.Equal((type, DnsType.ClassIn, edns, (ushort)0x1234, true), (query.Type, query.Class, query.HasEdns, query.Id, query.RecursionDesired));
        Assert.Equal(DnsQueryReader.HeaderLength + Name(name).Length + 4, query.QuestionEnd);
    }

    [Theory]
    [MemberData(nameof(MalformedQueries))]
    public void MalformedQuery_IsRejectedWithItsReason(string reason, byte[] message, string expectedStatus, string expectedRejection)
    {
        var expected = Enum.Parse<DnsParseStatus>(expectedStatus);
        var why = Enum.Parse<DnsRejection>(expectedRejection);
        DnsParseStatus status = DnsQueryReader.TryRead(message, new byte[DnsQueryReader.MaxNameLength], out DnsQuery query, out DnsRejection rejection);
        Assert.True((expected, why) == (status, rejection), $"{reason}: got {status} {rejection}");
        if (message.Length >= 2)
        {
            Assert.Equal(0x1234, query.Id);
        }

        if (status == DnsParseStatus.Malformed)
        {
            Assert.Equal(why == DnsRejection.Opcode ? DnsRcode.NotImp : DnsRcode.FormErr, query.Rcode);
        }
    }

    [Fact]
    public void EveryProperPrefixOfAValidQuery_IsMalformedOrIgnored_NeverComplete()
    {
        byte[] message = Query("api.example.test", DnsType.Aaaa, edns: true);
        byte[] name = new byte[DnsQueryReader.MaxNameLength];
        for (int length = 0; length < message.Length; length++)
        {
            DnsParseStatus status = DnsQueryReader.TryRead(message.AsSpan(0, length), name, out _, out _);
            Assert.True(status != DnsParseStatus.Complete, $"prefix of {length} bytes read as complete");
        }
    }

    [Fact]
    public void EveryByteValueAtEveryPosition_NeverThrowsOrOverrunsTheName()
    {
        byte[] message = Query("a.example.test", edns: true);
        byte[] name = new byte[DnsQueryReader.MaxNameLength];
        for (int position = 0; position < message.Length; position++)
        {
            byte original = message[position];
            for (int value = 0; value < 256; value++)
            {
                message[position] = (byte)value;
                DnsParseStatus status = DnsQueryReader.TryRead(message, name, out DnsQuery query, out _);
                Assert.True(status != DnsParseStatus.Complete || query.NameLength <= DnsQueryReader.MaxNameLength);
            }

            message[position] = original;
        }
    }

    [Fact]
    public void ValidQueries_AllocateNothing()
    {
        byte[] plain = Query("api.example.test");
        byte[] edns = Query("API.Example.Test", DnsType.Aaaa, edns: true);
        byte[] name = new byte[DnsQueryReader.MaxNameLength];
        int total = Read(plain, name) + Read(edns, name); // JIT and tiering before measuring
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            total += Read(plain, name) + Read(edns, name);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.True(total > 0);

        static int Read(byte[] message, byte[] name) => DnsQueryReader.TryRead(message, name, out DnsQuery query, out _) == DnsParseStatus.Complete ? query.NameLength : -1;
    }

    [Fact]
    public void NameBufferShorterThan253_IsABug()
    {
        Assert.Throws<ArgumentException>(() => DnsQueryReader.TryRead(Query("a.test"), new byte[100], out _, out _));
    }

    // Labels of 63, 63, 63 and the rest: exactly `length` dotted characters.
    internal static string LongName(int length)
    {
        var builder = new StringBuilder();
        while (builder.Length < length)
        {
            if (builder.Length > 0)
            {
                builder.Append('.');
            }

            builder.Append(new string('a', Math.Min(63, length - builder.Length)));
        }

        return builder.ToString();
    }

    private static byte[] Patch(byte[] message, int at, byte value)
    {
        message[at] = value;
        return message;
    }
}
