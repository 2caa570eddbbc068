package net.rhizome.net.transport;

import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.ServerChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * Event-loop threads owned by one RPC server. gRPC's default is one group shared by every server and
 * channel in the process, so a node's incoming connection could land on the same thread as one of
 * its outgoing connections, and the TLS work of both directions would then run on one core. A
 * server with its own threads never competes with the node's own calls for an event loop.
 */
record ServerEventLoops(EventLoopGroup boss, EventLoopGroup workers, Class<? extends ServerChannel> channelType) {

    static ServerEventLoops create() {
        int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
        if (Epoll.isAvailable()) {
            return new ServerEventLoops(new EpollEventLoopGroup(1, threads("rhizome-rpc-accept")),
                    new EpollEventLoopGroup(threads, threads("rhizome-rpc-io")), EpollServerSocketChannel.class);
        }
        return new ServerEventLoops(new NioEventLoopGroup(1, threads("rhizome-rpc-accept")),
                new NioEventLoopGroup(threads, threads("rhizome-rpc-io")), NioServerSocketChannel.class);
    }

    private static DefaultThreadFactory threads(String name) {
        return new DefaultThreadFactory(name, true);
    }

    NettyServerBuilder applyTo(NettyServerBuilder builder) {
        return builder.bossEventLoopGroup(boss).workerEventLoopGroup(workers).channelType(channelType);
    }

    /** Stops the threads once the server has terminated; no quiet period is needed then. */
    void shutdown() {
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    }
}
