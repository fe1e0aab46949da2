using System.Net;
using Gateway.Hosting;

namespace Security.Tests.Attacks;

/// <summary>Which dialled endpoints land on a listener of the gateway (the loop check behind <see cref="LoopAttackTests"/>).</summary>
public sealed class ListenerEndPointsTests
{
    [Theory]
    [InlineData("127.0.0.1:3128", "127.0.0.1:3128", true)]
    [InlineData("127.0.0.1:3128", "[::ffff:127.0.0.1]:3128", true)]
    [InlineData("127.0.0.1:3128", "127.0.0.2:3128", false)]   // a specific bind takes only its own address
    [InlineData("127.0.0.1:3128", "127.0.0.1:3129", false)]
    [InlineData("0.0.0.0:3128", "127.0.0.9:3128", true)]      // a wildcard bind takes every local address
    [InlineData("0.0.0.0:3128", "0.0.0.0:3128", true)]
    [InlineData("[::]:3128", "[::1]:3128", true)]
    [InlineData("[::]:3128", "127.0.0.1:3128", true)]
    [InlineData("0.0.0.0:3128", "9.9.9.9:3128", false)]       // not an address of this host
    [InlineData("127.0.0.1:0", "127.0.0.1:0", false)]         // not bound yet
    public void Reaches_IsTrueExactlyForEndpointsThatLandOnTheListener(string bound, string target, bool reaches) =>
        Assert.Equal(reaches, ListenerEndPoints.Reaches(IPEndPoint.Parse(bound), IPEndPoint.Parse(target)));
}
