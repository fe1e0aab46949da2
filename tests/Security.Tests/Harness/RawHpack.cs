using System.Text;

namespace Security.Tests.Harness;

/// <summary>
/// Just enough HPACK (RFC 7541) for hostile tests. Encoding emits only "literal header field
/// without indexing, new name" (§6.2.2) with raw, non-Huffman strings, so any name or value bytes
/// reach the server exactly as given, forbidden ones included. Decoding reads what a server sends
/// a client that set SETTINGS_HEADER_TABLE_SIZE to 0: static-table references and literals.
/// </summary>
internal static class RawHpack
{
    // RFC 7541 Appendix A, entries 1..61 (names only: a response's values we need are literals or :status).
    private static readonly string[] s_staticNames =
    [
        ":authority", ":method", ":method", ":path", ":path", ":scheme", ":scheme", ":status", ":status", ":status", ":status", ":status", ":status", ":status",
        "accept-charset", "accept-encoding", "accept-language", "accept-ranges", "accept", "access-control-allow-origin", "age", "allow", "authorization",
        "cache-control", "content-disposition", "content-encoding", "content-language", "content-length", "content-location", "content-range", "content-type",
        "cookie", "date", "etag", "expect", "expires", "from", "host", "if-match", "if-modified-since", "if-none-match", "if-range", "if-unmodified-since",
        "last-modified", "link", "location", "max-forwards", "proxy-authenticate", "proxy-authorization", "range", "referer", "refresh", "retry-after",
        "server", "set-cookie", "strict-transport-security", "transfer-encoding", "user-agent", "vary", "via", "www-authenticate",
    ];

    private static readonly string[] s_staticStatus = ["200", "204", "206", "304", "400", "404", "500"];

    /// <summary>A header block holding <paramref name="fields"/> in order, each byte as given.</summary>
    public static byte[] Encode(IEnumerable<(string Name, string Value)> fields)
    {
        var block = new MemoryStream();
        foreach ((string name, string value) in fields)
        {
            block.WriteByte(0x00);
            WriteString(block, Encoding.Latin1.GetBytes(name));
            WriteString(block, Encoding.Latin1.GetBytes(value));
        }

        return block.ToArray();
    }

    /// <summary>The fields of a response header block; a Huffman-coded string reads as "(huffman)".</summary>
    public static List<(string Name, string Value)> Decode(ReadOnlySpan<byte> block)
    {
        var fields = new List<(string, string)>();
        int at = 0;
        while (at < block.Length)
        {
            byte first = block[at];
            if ((first & 0x80) != 0)
            {
                int index = ReadInteger(block, ref at, 7);
                fields.Add((StaticName(index), index is >= 8 and <= 14 ? s_staticStatus[index - 8] : ""));
            }
            else if ((first & 0xE0) == 0x20)
            {
                ReadInteger(block, ref at, 5); // dynamic table size update: nothing is ever indexed here
            }
            else
            {
                int index = ReadInteger(block, ref at, (first & 0x40) != 0 ? 6 : 4);
                string name = index == 0 ? ReadString(block, ref at) : StaticName(index);
                fields.Add((name, ReadString(block, ref at)));
            }
        }

        return fields;
    }

    private static string StaticName(int index) =>
        index >= 1 && index <= s_staticNames.Length ? s_staticNames[index - 1] : throw new InvalidDataException($"HPACK index {index} is not in the static table");

    private static void WriteString(MemoryStream block, byte[] bytes)
    {
        WriteInteger(block, 0x00, 7, bytes.Length);
        block.Write(bytes);
    }

    // RFC 7541 §5.1.
    private static void WriteInteger(MemoryStream block, byte flags, int prefixBits, int value)
    {
        int max = (1 << prefixBits) - 1;
        if (value < max)
        {
            block.WriteByte((byte)(flags | value));
            return;
        }

        block.WriteByte((byte)(flags | max));
        value -= max;
        while (value >= 0x80)
        {
            block.WriteByte((byte)((value & 0x7F) | 0x80));
            value >>= 7;
        }

        block.WriteByte((byte)value);
    }

    private static int ReadInteger(ReadOnlySpan<byte> block, ref int at, int prefixBits)
    {
        int max = (1 << prefixBits) - 1;
        int value = block[at++] & max;
        if (value < max)
        {
            return value;
        }

        for (int shift = 0; shift < 28; shift += 7)
        {
            byte next = block[at++];
            value += (next & 0x7F) << shift;
            if ((next & 0x80) == 0)
            {
                return value;
            }
        }

        throw new InvalidDataException("HPACK integer too long");
    }

    private static string ReadString(ReadOnlySpan<byte> block, ref int at)
    {
        bool huffman = (block[at] & 0x80) != 0;
        int length = ReadInteger(block, ref at, 7);
        string text = huffman ? "(huffman)" : Encoding.Latin1.GetString(block.Slice(at, length));
        at += length;
        return text;
    }
}
