using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;
using Gateway.Tests.Relay;

namespace Gateway.Tests.Listeners.Transport;

/// <summary>The gateway's own transport as a <see cref="PipeReader"/>/<see cref="PipeWriter"/>, against a real loopback client.</summary>
public sealed class GatewayConnectionTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Input_BytesArrivingOneAtATime_AccumulateWhileExaminedButNotConsumed()
    {
        using var deadline = new CancellationTokenSource(Deadline);
        await using TransportPair pair = await TransportPair.StartAsync(deadline.Token);
        PipeReader input = pair.Connection.Transport.Input;
        const string Text = "CONNECT a:1 HTTP/1.1\r\n\r\n";
        Task sending = Task.Run(async () =>
        {
            foreach (char c in Text)
            {
                await SocketIo.SendAsync(pair.Client, c.ToString(), deadline.Token);
                await Task.Delay(2, deadline.Token);
            }
        });

        // Examine everything, consume nothing, as the CONNECT reader does until the head is complete.
        string seen = "";
        while (seen.Length < Text.Length)
        {
            ReadResult read = await input.ReadAsync(deadline.Token);
            seen = Encoding.ASCII.GetString(read.Buffer.ToArray());
            input.AdvanceTo(read.Buffer.Start, read.Buffer.End);
            Assert.StartsWith(seen, Text, StringComparison.Ordinal);
        }

        await sending;
        Assert.Equal(Text, seen);
    }
}
