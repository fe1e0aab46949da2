using System.Text;

namespace Benchmarks;

/// <summary>
/// A Chrome-like TLS 1.3 ClientHello (~1.8 KB): GREASE cipher suite and extensions, an
/// X25519MLKEM768 key share (1,216 bytes), an ECH-GREASE extension (0xfe0d, ~200 random bytes),
/// ALPN h2/http1.1, SNI last-but-many as Chrome permutes its extensions.
/// </summary>
internal static class ChromeClientHello
{
    /// <summary>The handshake message (type, length, body).</summary>
    public static byte[] Handshake(string serverName)
    {
        var random = new Random(1);
        byte[] mlkem = new byte[1216];
        random.NextBytes(mlkem);
        byte[] ech = new byte[200];
        random.NextBytes(ech);
        byte[] name = Encoding.ASCII.GetBytes(serverName);

        var extensions = new List<byte>();
        Extension(extensions, 0x2a2a, []);
        Extension(extensions, 0x0023, []);
        Extension(extensions, 0x0012, []);
        Extension(extensions, 0x0017, []);
        Extension(extensions, 0xff01, [0x00]);
        Extension(extensions, 0x000a, [0x00, 0x0a, 0x4a, 0x4a, 0x11, 0xec, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x18]);
        Extension(extensions, 0x000b, [0x01, 0x00]);
        Extension(extensions, 0x0005, [0x01, 0x00, 0x00, 0x00, 0x00]);
        Extension(extensions, 0x000d, [0x00, 0x10, 0x04, 0x03, 0x08, 0x04, 0x04, 0x01, 0x05, 0x03, 0x08, 0x05, 0x05, 0x01, 0x08, 0x06, 0x06, 0x01]);
        Extension(extensions, 0x0010, [0x00, 0x0c, 0x02, (byte)'h', (byte)'2', 0x08, .. "http/1.1"u8]);
        Extension(extensions, 0x001b, [0x02, 0x00, 0x02]);
        Extension(extensions, 0x44cd, [0x00, 0x03, 0x02, (byte)'h', (byte)'2']);
        Extension(extensions, 0x002b, [0x06, 0x4a, 0x4a, 0x03, 0x04, 0x03, 0x03]);
        Extension(extensions, 0x002d, [0x01, 0x01]);
        Extension(extensions, 0x0033, [0x04, 0xed, 0x4a, 0x4a, 0x00, 0x01, 0x00, 0x11, 0xec, 0x04, 0xc0, .. mlkem, 0x00, 0x1d, 0x00, 0x20, .. new byte[32]]);
        Extension(extensions, 0xfe0d, [0x00, 0x00, 0x01, 0x00, 0x01, 0x7a, 0x00, 0x20, .. new byte[32], 0x00, (byte)ech.Length, .. ech]);
        Extension(extensions, 0x0000, [(byte)((name.Length + 3) >> 8), (byte)(name.Length + 3), 0x00, (byte)(name.Length >> 8), (byte)name.Length, .. name]);
        Extension(extensions, 0x1a1a, [0x00]);

        ushort[] suites = [0x3a3a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035];
        var body = new List<byte> { 0x03, 0x03 };
        body.AddRange(new byte[32]);
        body.Add(32);
        body.AddRange(Enumerable.Repeat((byte)0x5e, 32));
        UInt16(body, suites.Length * 2);
        foreach (ushort suite in suites)
        {
            UInt16(body, suite);
        }

        body.AddRange([0x01, 0x00]);
        UInt16(body, extensions.Count);
        body.AddRange(extensions);
        return [0x01, (byte)(body.Count >> 16), (byte)(body.Count >> 8), (byte)body.Count, .. body];
    }

    /// <summary><paramref name="handshake"/> in TLS records of at most <paramref name="fragment"/> bytes, record version 0x0301.</summary>
    public static byte[] Records(byte[] handshake, int fragment)
    {
        var bytes = new List<byte>();
        for (int offset = 0; offset < handshake.Length; offset += fragment)
        {
            int size = Math.Min(fragment, handshake.Length - offset);
            bytes.AddRange([0x16, 0x03, 0x01, (byte)(size >> 8), (byte)size]);
            bytes.AddRange(handshake.AsSpan(offset, size).ToArray());
        }

        return [.. bytes];
    }

    private static void Extension(List<byte> extensions, ushort type, byte[] data)
    {
        UInt16(extensions, type);
        UInt16(extensions, data.Length);
        extensions.AddRange(data);
    }

    private static void UInt16(List<byte> bytes, int value)
    {
        bytes.Add((byte)(value >> 8));
        bytes.Add((byte)value);
    }
}
