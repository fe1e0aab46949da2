using Gateway.Dns;
using static Gateway.Tests.Dns.DnsTestMessages;

namespace Gateway.Tests.Dns;

public sealed class DnsResponseWriterTests
{
    [Fact]
    public void AddressAnswer_EchoesIdQuestionAndRd_AndCarriesTheAddressWithAShortTtl()
    {
        byte[] message = Query("Api.Example.Test", DnsType.A, id: 0xBEEF);
        DnsQuery query = Read(message);
        DecodedResponse answer = Write(b => DnsResponseWriter.WriteAddress(b, message, query, [127, 0, 0, 1], DnsResponseWriter.UdpLimit));
        Assert.Equal((0xBEEF, true, 0, false, true, true), (answer.Id, answer.IsResponse, answer.Rcode, answer.Truncated, answer.RecursionDesired, answer.RecursionAvailable));
        Assert.Equal(("Api.Example.Test", DnsType.A, 1, 0, 0), (answer.Question, answer.QuestionType, answer.Answers, answer.Authority, answer.Additional));
        DecodedRecord record = Assert.Single(answer.Records);
        Assert.Equal(("Api.Example.Test", DnsType.A, DnsType.ClassIn, 30u), (record.Owner, record.Type, record.Class, record.Ttl));
        Assert.Equal([127, 0, 0, 1], record.Data);
    }

    [Fact]
    public void AaaaAnswer_CarriesSixteenBytes_AndEchoesOpt()
    {
        byte[] message = Query("api.example.test", DnsType.Aaaa, edns: true);
        DnsQuery query = Read(message);
        byte[] loopback = System.Net.IPAddress.IPv6Loopback.GetAddressBytes();
        DecodedResponse answer = Write(b => DnsResponseWriter.WriteAddress(b, message, query, loopback, DnsResponseWriter.LimitFor(query, tcp: false)));
        Assert.Equal((1, 0, 1), (answer.Answers, answer.Authority, answer.Additional));
        Assert.Equal(DnsType.Aaaa, answer.Records[0].Type);
        Assert.Equal(loopback, answer.Records[0].Data);
        DecodedRecord opt = answer.Records[1];
        Assert.Equal(("", DnsType.Opt, DnsResponseWriter.EdnsPayloadSize, 0u), (opt.Owner, opt.Type, opt.Class, opt.Ttl));
    }

    [Fact]
    public void NoAddressOfThatFamily_IsNoErrorWithoutAnswer()
    {
        byte[] message = Query("api.example.test", DnsType.Aaaa);
        DecodedResponse answer = Write(b => DnsResponseWriter.WriteAddress(b, message, Read(message), [], DnsResponseWriter.UdpLimit));
        Assert.Equal((0, 0, "api.example.test"), (answer.Rcode, answer.Answers, answer.Question));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(1)]
    public void ErrorAnswer_HasTheRcodeTheQuestionAndNoRecords(int code)
    {
        var rcode = (DnsRcode)code;
        byte[] message = Query("blocked.example.test");
        DecodedResponse answer = Write(b => DnsResponseWriter.WriteError(b, message, Read(message), rcode, DnsResponseWriter.UdpLimit));
        Assert.Equal(((int)rcode, 0, "blocked.example.test"), (answer.Rcode, answer.Records.Length, answer.Question));
    }

    [Fact]
    public void FormErrForAnUnreadQuestion_EchoesTheIdOnly()
    {
        byte[] message = Hex("abcd 0100 0001 0000 0000 0000 c00c 0001 0001");
        Assert.Equal(DnsParseStatus.Malformed, DnsQueryReader.TryRead(message, new byte[253], out DnsQuery query, out _));
        DecodedResponse answer = Write(b => DnsResponseWriter.WriteError(b, message, query, query.Rcode, DnsResponseWriter.UdpLimit));
        Assert.Equal((0xABCD, 1, (string?)null, 0), (answer.Id, answer.Rcode, answer.Question, answer.Records.Length));
    }

    [Fact]
    public void BadVers_PutsTheUpperRcodeBitsInOpt()
    {
        byte[] message = Query("api.example.test", edns: true);
        DecodedResponse answer = Write(b => DnsResponseWriter.WriteError(b, message, Read(message), DnsRcode.BadVers, 1232));
        Assert.Equal(0, answer.Rcode);
        Assert.Equal(1u << 24, Assert.Single(answer.Records).Ttl); // extended RCODE 1 << 4 | 0 = 16
    }

    [Theory]
    [InlineData(DnsType.Soa)]
    [InlineData(DnsType.Ns)]
    public void Root_GetsAMinimalSoaOrNs(ushort type)
    {
        byte[] message = Query(".", type);
        DecodedResponse answer = Write(b => DnsResponseWriter.WriteRoot(b, message, Read(message), DnsResponseWriter.UdpLimit));
        DecodedRecord record = Assert.Single(answer.Records);
        Assert.Equal(("", type, 0), (record.Owner, record.Type, answer.Rcode));
        int offset = 0;
        Assert.Equal("gateway.invalid", ReadName(record.Data, ref offset));
        if (type == DnsType.Soa)
        {
            Assert.Equal("hostmaster.gateway.invalid", ReadName(record.Data, ref offset));
            Assert.Equal(offset + 20, record.Data.Length);
        }
    }

    [Fact]
    public void AnswerOverTheLimit_IsHeaderAndQuestionWithTc()
    {
        string name = DnsQueryReaderTests.LongName(253);
        byte[] message = Query(name);
        byte[] buffer = new byte[DnsResponseWriter.MaxResponseLength];

        // 12 + 259 + 16 = 287 bytes: a 280-byte limit cannot hold the answer.
        int length = DnsResponseWriter.WriteAddress(buffer, message, Read(message), [127, 0, 0, 1], 280);
        DecodedResponse answer = Decode(buffer.AsSpan(0, length));
        Assert.Equal((true, 0, name), (answer.Truncated, answer.Records.Length, answer.Question));
        Assert.Equal(287, DnsResponseWriter.WriteAddress(buffer, message, Read(message), [127, 0, 0, 1], DnsResponseWriter.UdpLimit));
    }

    [Fact]
    public void LargestPossibleAnswer_FitsInMaxResponseLength()
    {
        byte[] message = Query(".", DnsType.Soa, edns: true);
        byte[] longName = Query(DnsQueryReaderTests.LongName(253), DnsType.Aaaa, edns: true);
        byte[] buffer = new byte[DnsResponseWriter.MaxResponseLength];
        Assert.InRange(DnsResponseWriter.WriteRoot(buffer, message, Read(message), ushort.MaxValue), 1, DnsResponseWriter.MaxResponseLength);
        Assert.InRange(DnsResponseWriter.WriteAddress(buffer, longName, Read(longName), new byte[16], ushort.MaxValue), 1, DnsResponseWriter.MaxResponseLength);
    }

    private static DnsQuery Read(byte[] message)
    {
        Assert.Equal(DnsParseStatus.Complete, DnsQueryReader.TryRead(message, new byte[DnsQueryReader.MaxNameLength], out DnsQuery query, out _));
        return query;
    }

    private delegate int Writer(Span<byte> buffer);

    private static DecodedResponse Write(Writer write)
    {
        byte[] buffer = new byte[DnsResponseWriter.MaxResponseLength];
        int length = write(buffer);
        return Decode(buffer.AsSpan(0, length));
    }
}
