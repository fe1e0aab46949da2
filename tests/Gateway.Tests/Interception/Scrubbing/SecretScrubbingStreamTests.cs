using System.Text;
using Gateway.Interception.Scrubbing;

namespace Gateway.Tests.Interception.Scrubbing;

/// <summary>
/// The body scrubber against a plain masking of every occurrence, over bodies that hold secrets
/// (whole, split at every position, overlapping each other, at the very end) read in random pieces.
/// </summary>
public sealed class SecretScrubbingStreamTests
{
    private static readonly string[] s_secrets = ["sk-live-0123456789abcdef", "tok_ababab", "ab", "b0b0b0"];

    [Fact]
    public async Task RandomBodies_ReadInRandomPieces_MatchAPlainReplace_AndKeepTheirLength()
    {
        var random = new Random(20261123);
        for (int round = 0; round < 3_000; round++)
        {
            string body = RandomBody(random);
            byte[] input = Encoding.UTF8.GetBytes(body);
            byte[] expected = Encoding.UTF8.GetBytes(Expected(body));

            using var inner = new ChunkedStream(input, random, maxChunk: 1 + random.Next(40));
            await using var scrubber = new SecretScrubbingStream(inner, [.. s_secrets.Select(Encoding.UTF8.GetBytes)]);
            var output = new MemoryStream();
            byte[] piece = new byte[1 + random.Next(64)];
            int n;
            while ((n = round % 2 == 0 ? await scrubber.ReadAsync(piece) : scrubber.Read(piece)) > 0)
            {
                output.Write(piece, 0, n);
            }

            Assert.True(expected.AsSpan().SequenceEqual(output.ToArray()), $"round {round}: {body}");
            Assert.Equal(input.Length, output.Length);
        }
    }

    [Fact]
    public async Task AHeldPrefix_IsReleasedAtTheEnd_AndBytesFlowWithoutWaitingForMore()
    {
        // "sk-live-01" could start a secret: it waits; the end proves it was not one.
        byte[] body = Encoding.UTF8.GetBytes("data: one\n\nsk-live-01");
        using var inner = new MemoryStream(body);
        await using var scrubber = new SecretScrubbingStream(inner, [Encoding.UTF8.GetBytes(s_secrets[0])]);
        byte[] buffer = new byte[100];

        int first = await scrubber.ReadAsync(buffer);
        Assert.Equal("data: one\n\n", Encoding.UTF8.GetString(buffer, 0, first));
        int second = await scrubber.ReadAsync(buffer);
        Assert.Equal("sk-live-01", Encoding.UTF8.GetString(buffer, 0, second));
        Assert.Equal(0, await scrubber.ReadAsync(buffer));
    }

    private static string RandomBody(Random random)
    {
        var body = new StringBuilder();
        int parts = random.Next(0, 12);
        for (int i = 0; i < parts; i++)
        {
            switch (random.Next(5))
            {
                case 0:
                    body.Append(s_secrets[random.Next(s_secrets.Length)]);
                    break;
                case 1:
                    string secret = s_secrets[random.Next(s_secrets.Length)];
                    body.Append(secret, 0, random.Next(1, secret.Length)); // a prefix only
                    break;
                case 2:
                    // Secrets inside and across each other: "ab" ends where a "b0b0b0" could begin.
                    body.Append(random.Next(2) == 0 ? "abababtok_abab" : "ab0b0");
                    break;
                default:
                    for (int c = random.Next(1, 30); c > 0; c--)
                    {
                        body.Append((char)random.Next('a', 'z' + 1));
                    }

                    break;
            }
        }

        return body.ToString();
    }

    /// <summary>What the scrubber promises: every byte of every occurrence (overlapping ones too) of any secret masked.</summary>
    private static string Expected(string body)
    {
        char[] result = body.ToCharArray();
        foreach (string secret in s_secrets)
        {
            for (int at = body.IndexOf(secret, StringComparison.Ordinal); at >= 0; at = body.IndexOf(secret, at + 1, StringComparison.Ordinal))
            {
                result.AsSpan(at, secret.Length).Fill('*');
            }
        }

        return new string(result);
    }

    /// <summary>A body that arrives in random pieces, as from a socket.</summary>
    private sealed class ChunkedStream(byte[] data, Random random, int maxChunk) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => data.Length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n = Math.Min(Math.Min(buffer.Length, 1 + random.Next(maxChunk)), data.Length - _position);
            data.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
