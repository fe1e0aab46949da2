using System.Buffers.Binary;
using System.Text;
using Gateway.Dns;

namespace Gateway.Tests.Dns;

/// <summary>Builds query messages and decodes answers, independently of the code under test.</summary>
internal static class DnsTestMessages
{
    /// <summary>A query as a stub sends it: id, RD, one question, an optional OPT (1232 bytes, no options).</summary>
    public static byte[] Query(string name, ushort type = DnsType.A, ushort id = 0x1234, bool edns = false, ushort qclass = DnsType.ClassIn)
    {
        var bytes = new List<byte>();
        bytes.AddRange([(byte)(id >> 8), (byte)id, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, (byte)(edns ? 1 : 0)]);
        bytes.AddRange(Name(name));
        bytes.AddRange([(byte)(type >> 8), (byte)type, (byte)(qclass >> 8), (byte)qclass]);
        if (edns)
        {
            bytes.AddRange([0, 0, 41, 0x04, 0xD0, 0, 0, 0, 0, 0, 0]);
        }

        return [.. bytes];
    }

    /// <summary>A name in wire form: labels, then the root byte; "" and "." are the root.</summary>
    public static byte[] Name(string name)
    {
        var bytes = new List<byte>();
        foreach (string label in name.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            bytes.Add((byte)label.Length);
            bytes.AddRange(Encoding.ASCII.GetBytes(label));
        }

        bytes.Add(0);
        return [.. bytes];
    }

    /// <summary>Hex with optional spaces to bytes.</summary>
    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal));

    /// <summary>Decodes an answer: header fields, the question, every record (owner names with pointers followed, bounded).</summary>
    public static DecodedResponse Decode(ReadOnlySpan<byte> message)
    {
        Assert.True(message.Length >= 12, "an answer has a 12-byte header");
        ushort flags = BinaryPrimitives.ReadUInt16BigEndian(message[2..]);
        int qd = BinaryPrimitives.ReadUInt16BigEndian(message[4..]);
        int an = BinaryPrimitives.ReadUInt16BigEndian(message[6..]);
        int ns = BinaryPrimitives.ReadUInt16BigEndian(message[8..]);
        int ar = BinaryPrimitives.ReadUInt16BigEndian(message[10..]);
        int offset = 12;
        string? question = null;
        ushort qtype = 0;
        for (int i = 0; i < qd; i++)
        {
            question = ReadName(message, ref offset);
            qtype = BinaryPrimitives.ReadUInt16BigEndian(message[offset..]);
            offset += 4;
        }

        var records = new List<DecodedRecord>();
        for (int i = 0; i < an + ns + ar; i++)
        {
            string owner = ReadName(message, ref offset);
            ushort type = BinaryPrimitives.ReadUInt16BigEndian(message[offset..]);
            ushort rclass = BinaryPrimitives.ReadUInt16BigEndian(message[(offset + 2)..]);
            uint ttl = BinaryPrimitives.ReadUInt32BigEndian(message[(offset + 4)..]);
            int length = BinaryPrimitives.ReadUInt16BigEndian(message[(offset + 8)..]);
            offset += 10;
            records.Add(new DecodedRecord(owner, type, rclass, ttl, message.Slice(offset, length).ToArray(), offset));
            offset += length;
        }

        Assert.Equal(message.Length, offset);
        return new DecodedResponse(
            BinaryPrimitives.ReadUInt16BigEndian(message), flags, question, qtype, an, ns, ar, [.. records]);
    }

    /// <summary>A name, pointers followed (at most 16 hops), dotted.</summary>
    public static string ReadName(ReadOnlySpan<byte> message, ref int offset)
    {
        var labels = new List<string>();
        int at = offset;
        bool jumped = false;
        for (int hops = 0; ; )
        {
            byte length = message[at];
            if (length == 0)
            {
                if (!jumped)
                {
                    offset = at + 1;
                }

                return string.Join('.', labels);
            }

            if ((length & 0xC0) == 0xC0)
            {
                Assert.True(++hops < 16, "pointer loop in an answer");
                if (!jumped)
                {
                    offset = at + 2;
                }

                jumped = true;
                at = BinaryPrimitives.ReadUInt16BigEndian(message[at..]) & 0x3FFF;
                continue;
            }

            labels.Add(Encoding.ASCII.GetString(message.Slice(at + 1, length)));
            at += 1 + length;
        }
    }
}

/// <summary>A decoded answer.</summary>
internal sealed record DecodedResponse(ushort Id, ushort Flags, string? Question, ushort QuestionType, int Answers, int Authority, int Additional, DecodedRecord[] Records)
{
    public int Rcode => Flags & 0xF;

    public bool IsResponse => (Flags & 0x8000) != 0;

    public bool Truncated => (Flags & 0x0200) != 0;

    public bool RecursionDesired => (Flags & 0x0100) != 0;

    public bool RecursionAvailable => (Flags & 0x0080) != 0;
}

/// <summary>One resource record of an answer.</summary>
internal sealed record DecodedRecord(string Owner, ushort Type, ushort Class, uint Ttl, byte[] Data, int DataOffset);
