using System.Net;
using System.Net.Sockets;

namespace Ops.Dashboard.Testing;

/// <summary>Free loopback TCP ports.</summary>
public static class FreePorts
{
    private static readonly HashSet<int> Handed = [];

    /// <summary>
    /// A port nobody listens on now, never the same twice in this process (two hosts started in
    /// parallel must not get the same silo port: on Linux that does not fail, it interferes).
    /// </summary>
    public static int Next()
    {
        lock (Handed)
        {
            while (true)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                listener.Stop();
                if (Handed.Add(port)) return port;
            }
        }
    }
}
