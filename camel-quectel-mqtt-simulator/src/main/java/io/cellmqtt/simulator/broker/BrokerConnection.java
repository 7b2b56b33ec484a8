package io.cellmqtt.simulator.broker;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttSubAckMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import io.cellmqtt.simulator.physics.DelayLine;
import io.cellmqtt.simulator.physics.Network;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client index's real connection to a broker: QMTOPEN is the TCP (or TLS) connect, QMTCONN the
 * CONNECT, and the host's message ids go on the wire unchanged, as on the modem.
 */
public final class BrokerConnection {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerConnection.class);

    /** Result codes of +QMTOPEN from the BG95 reference. */
    public static final int OPEN_OK = 0;
    public static final int OPEN_FAILED = -1;
    public static final int OPEN_DNS_FAILED = 4;
    public static final int OPEN_NETWORK_ERROR = 5;
    /**
     * The TLS handshake failed, or the SSL context could not be built from the modem's files (not
     * PEM, a key that is not its certificate's, a TLS version the JDK refuses). Not a code on the
     * wire: each dialect reports it its own way (Quectel {@code +QMTOPEN: <idx>,-1}, SIMCom 32).
     */
    public static final int OPEN_TLS_FAILED = -100;
    /**
     * A file the SSL context needs is not on the modem (a configured name that was never uploaded,
     * or no name where the security level needs one). Not a code on the wire (SIMCom 33, Quectel -1).
     */
    public static final int OPEN_TLS_NO_CERT = -101;

    private final int index;
    private final EventLoopGroup group;
    private final Executor blocking;
    private final BrokerEvents events;
    private final Supplier<Duration> latency;
    /** The modem's network (round trip, jitter) when {@code latency} is one; else null. */
    private final Network network;
    /** What crosses the network to and from the broker, in order and late by the round trip. */
    private final DelayLine line;
    private volatile Channel channel;
    private volatile boolean disconnectSent;
    private volatile boolean closeExpected;
    private volatile boolean connected;
    /** The TCP connection (and its TLS handshake, if any) is up: from now on a close is a lost connection. */
    private volatile boolean opened;
    /** Closed or dropped by the modem: a connect still under way is abandoned when it completes. */
    private volatile boolean cancelled;
    private volatile ChannelFuture disconnectFuture;

    public BrokerConnection(int index, EventLoopGroup group, Executor blocking, BrokerEvents events, Supplier<Duration> latency) {
        this.index = index;
        this.group = group;
        this.blocking = blocking;
        this.events = events;
        this.latency = latency;
        this.network = latency instanceof Network n ? n : null;
        this.line = (network != null ? network : new Network()).delayLine(group.next());
        // A full receiving line closes the window: the broker's packets wait in the socket, not in memory.
        line.whenReceivingBackedUp(reading -> {
            Channel ch = channel;
            if (ch != null) {
                ch.config().setAutoRead(reading);
            }
        });
    }

    public boolean isConnected() {
        return connected;
    }

    /**
     * Resolves (off the event loop: DNS blocks) and connects, over TLS made of {@code tls} when it is
     * not null; the result arrives as {@link BrokerEvents#opened}.
     */
    public void open(String host, int port, TlsSpec tls) {
        blocking.execute(() -> {
            if (cancelled) {
                return;
            }
            InetAddress address;
            try {
                address = InetAddress.getByName(host);
            } catch (UnknownHostException e) {
                later(() -> events.opened(OPEN_DNS_FAILED));
                return;
            }
            SslContext sslContext = null;
            if (tls != null) {
                if (tls.missing() != null) {
                    LOG.debug("client {}: no TLS: {}", index, tls.missing());
                    later(() -> events.opened(OPEN_TLS_NO_CERT));
                    return;
                }
                try {
                    sslContext = ClientTls.build(tls);
                } catch (java.security.GeneralSecurityException | java.io.IOException | RuntimeException e) {
                    // the message names what is wrong, never a file's contents
                    LOG.debug("client {}: TLS context refused: {}", index, e.getMessage());
                    later(() -> events.opened(OPEN_TLS_FAILED));
                    return;
                }
            }
            connect(new InetSocketAddress(address, port), host, sslContext);
        });
    }

    private void connect(InetSocketAddress address, String host, SslContext sslContext) {
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (sslContext != null) {
                            ch.pipeline().addLast("ssl", sslContext.newHandler(ch.alloc(), host, address.getPort()));
                        }
                        ch.pipeline().addLast("decoder", new MqttDecoder(1024 * 1024));
                        ch.pipeline().addLast("encoder", MqttEncoder.INSTANCE);
                        ch.pipeline().addLast("handler", new Handler());
                    }
                });
        ChannelFuture f = bootstrap.connect(address);
        f.addListener(cf -> {
            // the SYN and its answer (or the refusal) cross the network once each way
            long rtt = network != null && network.delays() ? network.connectNanos() : 0;
            if (rtt <= 0) {
                connected(f, address, false);
            } else {
                if (cf.isSuccess()) {
                    channel = f.channel(); // a close or drop meanwhile finds it
                }
                f.channel().eventLoop().schedule(() -> connected(f, address, true), rtt, TimeUnit.NANOSECONDS);
            }
        });
    }

    /** The TCP connect's outcome has reached the modem ({@code delayed}: one round trip after it happened). */
    private void connected(ChannelFuture cf, InetSocketAddress address, boolean delayed) {
        if (!cf.isSuccess()) {
            Throwable cause = cf.cause();
            LOG.debug("client {}: connect to {} failed: {}", index, address, String.valueOf(cause));
            int result = cause instanceof ConnectException ? OPEN_NETWORK_ERROR : OPEN_FAILED;
            later(() -> events.opened(result));
            return;
        }
        Channel ch = cf.channel();
        channel = ch;
        if (cancelled) {
            ch.close(); // the modem gave up on this connection while it was being made
            return;
        }
        ch.closeFuture().addListener(x -> {
            if (!opened) {
                // closed during the TLS handshake (the broker refused it): the handshake's failure
                // is the open's result, reported once by its listener; no lost-connection report
                return;
            }
            ChannelFuture disc = disconnectFuture;
            if (disc == null) {
                afterClose(() -> later(() -> events.closed(disconnectSent, closeExpected)));
            } else {
                // +QMTDISC (a listener on the DISCONNECT write) must be reported before +QMTSTAT: n,5;
                // Netty may notify the close before that write's listeners
                disc.addListener(y -> afterClose(() -> later(() -> events.closed(true, closeExpected))));
            }
        });
        if (delayed && !ch.isActive()) {
            // the broker closed the connection while the answer to the SYN was on its way
            later(() -> events.opened(OPEN_FAILED));
            return;
        }
        SslHandler sslHandler = ch.pipeline().get(SslHandler.class);
        if (sslHandler == null) {
            opened = true;
            later(() -> events.opened(OPEN_OK));
        } else {
            sslHandler.handshakeFuture().addListener(h -> {
                // the handshake's flights: one more round trip (as TLS 1.3's), not timed byte by byte
                long rtt = network != null && network.delays() ? network.connectNanos() : 0;
                if (rtt <= 0) {
                    handshaken(ch, h.isSuccess(), h.cause());
                } else {
                    ch.eventLoop().schedule(() -> handshaken(ch, h.isSuccess(), h.cause()), rtt, TimeUnit.NANOSECONDS);
                }
            });
        }
    }

    private void handshaken(Channel ch, boolean success, Throwable cause) {
        if (success) {
            opened = true;
            later(() -> events.opened(OPEN_OK));
        } else {
            LOG.debug("client {}: TLS handshake failed: {}", index, String.valueOf(cause));
            closeExpected = true;
            ch.close();
            later(() -> events.opened(OPEN_TLS_FAILED));
        }
    }

    /**
     * A close the broker made reaches the modem after what the broker sent before it; one the modem
     * made itself (QMTCLOSE, a drop) is known at once.
     */
    private void afterClose(Runnable r) {
        if (cancelled) {
            r.run();
        } else {
            line.fromBroker(r);
        }
    }

    /**
     * Hands a packet to the network: written once it crossed (at once without physics). The future
     * is the write's when written at once, else one already complete: a packet handed to the
     * network is sent, as far as the modem knows.
     */
    private ChannelFuture send(Channel ch, Object msg) {
        return send(ch, msg, ch.newPromise());
    }

    private ChannelFuture send(Channel ch, Object msg, io.netty.channel.ChannelPromise promise) {
        Thread caller = Thread.currentThread();
        boolean[] inCall = {true};
        boolean atOnce = line.toBroker(() -> {
            if (inCall[0] && Thread.currentThread() == caller) {
                ch.writeAndFlush(msg, promise); // passed straight through
            } else {
                ch.writeAndFlush(msg); // a failure (the channel closed meanwhile) loses it, as TCP would
            }
        });
        inCall[0] = false;
        if (!atOnce) {
            promise.trySuccess(); // handed to the network
        }
        return promise;
    }

    public void connect(String clientId, String user, String password, ClientConfig cfg) {
        MqttMessageBuilders.ConnectBuilder b = MqttMessageBuilders.connect()
                .protocolVersion(cfg.version == 3 ? MqttVersion.MQTT_3_1 : MqttVersion.MQTT_3_1_1)
                .clientId(clientId)
                .cleanSession(cfg.cleanSession)
                .keepAlive(cfg.keepAlive);
        if (user != null) {
            b.hasUser(true).username(user);
        }
        if (password != null) {
            b.hasPassword(true).password(password.getBytes(StandardCharsets.UTF_8));
        }
        if (cfg.will) {
            b.willFlag(true)
                    .willQoS(MqttQoS.valueOf(cfg.willQos))
                    .willRetain(cfg.willRetain)
                    .willTopic(new String(cfg.willTopic, StandardCharsets.UTF_8))
                    .willMessage(cfg.willMessage);
        }
        Channel ch = channel;
        if (cfg.keepAlive > 0) {
            // the modem keeps the session alive itself: a PINGREQ whenever nothing was sent for keepalive seconds
            ch.pipeline().addBefore("handler", "idle", new IdleStateHandler(0, cfg.keepAlive, 0));
        }
        send(ch, b.build());
    }

    public void subscribe(int msgId, List<String> topics, List<Integer> qos) {
        MqttMessageBuilders.SubscribeBuilder b = MqttMessageBuilders.subscribe().messageId(msgId);
        for (int i = 0; i < topics.size(); i++) {
            b.addSubscription(MqttQoS.valueOf(qos.get(i)), topics.get(i));
        }
        send(channel, b.build());
    }

    public void unsubscribe(int msgId, List<String> topics) {
        MqttMessageBuilders.UnsubscribeBuilder b = MqttMessageBuilders.unsubscribe().messageId(msgId);
        topics.forEach(b::addTopicFilter);
        send(channel, b.build());
    }

    public void publish(int msgId, int qos, boolean retain, String topic, byte[] payload) {
        MqttPublishMessage m = MqttMessageBuilders.publish()
                .topicName(topic)
                .qos(MqttQoS.valueOf(qos))
                .retained(retain)
                .messageId(qos == 0 ? 0 : msgId)
                .payload(Unpooled.wrappedBuffer(payload))
                .build();
        ChannelFuture f = send(channel, m);
        if (qos == 0) {
            // QoS 0 needs no acknowledgement: the result is known once the packet left
            f.addListener(x -> later(() -> events.published(msgId)));
        }
    }

    /** Sends DISCONNECT; the broker is expected to close the connection (then +QMTSTAT: n,5). */
    public void disconnect(java.util.function.IntConsumer onSent) {
        disconnectSent = true;
        connected = false;
        // the result listener goes on before the future is published, so it always precedes the close report
        io.netty.channel.ChannelPromise p = channel.newPromise();
        p.addListener(x -> later(() -> onSent.accept(x.isSuccess() ? 0 : 2)));
        disconnectFuture = p;
        send(channel, new MqttMessage(new MqttFixedHeader(MqttMessageType.DISCONNECT, false, MqttQoS.AT_MOST_ONCE, false, 0)), p);
    }

    /** Closes the TCP connection at the host's request (QMTCLOSE) or at shutdown: no +QMTSTAT. */
    public ChannelFuture close() {
        cancelled = true;
        closeExpected = true;
        connected = false;
        Channel ch = channel;
        if (ch == null) {
            return null;
        }
        if (line.sent()) {
            return ch.close();
        }
        io.netty.channel.ChannelPromise p = ch.newPromise();
        line.afterSent(() -> ch.close(p)); // the FIN follows the packets still crossing
        return p;
    }

    /** Simulates the network vanishing: no DISCONNECT, an RST, and the broker publishes the will. */
    public void drop() {
        cancelled = true;
        connected = false;
        line.abortSending(); // what was still crossing never arrives
        Channel ch = channel;
        if (ch != null) {
            ch.config().setOption(ChannelOption.SO_LINGER, 0);
            ch.close();
        }
    }

    private void later(Runnable r) {
        Duration d = latency.get();
        if (d.isZero() || d.isNegative()) {
            r.run();
        } else {
            group.next().schedule(r, d.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private static MqttMessage idMessage(MqttMessageType type, int id) {
        MqttQoS qos = type == MqttMessageType.PUBREL ? MqttQoS.AT_LEAST_ONCE : MqttQoS.AT_MOST_ONCE;
        return new MqttMessage(new MqttFixedHeader(type, false, qos, false, 0), MqttMessageIdVariableHeader.from(id));
    }

    private final class Handler extends SimpleChannelInboundHandler<MqttMessage> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, MqttMessage msg) {
            io.netty.util.ReferenceCountUtil.retain(msg); // handled once it crossed the network
            line.fromBroker(() -> {
                try {
                    handle(ctx, msg);
                } finally {
                    io.netty.util.ReferenceCountUtil.release(msg);
                }
            });
        }

        private void handle(ChannelHandlerContext ctx, MqttMessage msg) {
            if (msg.decoderResult().isFailure()) {
                LOG.warn("client {}: undecodable packet from broker: {}", index, msg.decoderResult().cause().toString());
                ctx.close();
                return;
            }
            MqttMessageType type = msg.fixedHeader().messageType();
            switch (type) {
                case CONNACK -> {
                    int rc = ((MqttConnAckMessage) msg).variableHeader().connectReturnCode().byteValue() & 0xFF;
                    connected = rc == 0;
                    later(() -> events.connAck(rc));
                }
                case SUBACK -> {
                    MqttSubAckMessage ack = (MqttSubAckMessage) msg;
                    int id = ack.variableHeader().messageId();
                    List<Integer> granted = List.copyOf(ack.payload().grantedQoSLevels());
                    later(() -> events.subAck(id, granted));
                }
                case UNSUBACK -> {
                    int id = ((MqttMessageIdVariableHeader) msg.variableHeader()).messageId();
                    later(() -> events.unsubAck(id));
                }
                case PUBACK, PUBCOMP -> {
                    int id = ((MqttMessageIdVariableHeader) msg.variableHeader()).messageId();
                    later(() -> events.published(id));
                }
                case PUBREC -> {
                    int id = ((MqttMessageIdVariableHeader) msg.variableHeader()).messageId();
                    send(ctx.channel(), idMessage(MqttMessageType.PUBREL, id));
                }
                case PUBREL -> {
                    int id = ((MqttMessageIdVariableHeader) msg.variableHeader()).messageId();
                    send(ctx.channel(), idMessage(MqttMessageType.PUBCOMP, id));
                }
                case PUBLISH -> {
                    MqttPublishMessage p = (MqttPublishMessage) msg;
                    int qos = p.fixedHeader().qosLevel().value();
                    int id = qos == 0 ? 0 : p.variableHeader().packetId();
                    byte[] payload = ByteBufUtil.getBytes(p.payload());
                    InboundMessage in = new InboundMessage(id, p.variableHeader().topicName(), payload);
                    if (qos == 1) {
                        send(ctx.channel(), MqttMessageBuilders.pubAck().packetId(id).build());
                    } else if (qos == 2) {
                        send(ctx.channel(), idMessage(MqttMessageType.PUBREC, id));
                    }
                    later(() -> events.received(in));
                }
                case PINGRESP -> {
                    // keepalive answered; nothing to report
                }
                default -> LOG.debug("client {}: ignoring {}", index, type);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof IdleStateEvent) {
                if (connected) {
                    send(ctx.channel(), new MqttMessage(new MqttFixedHeader(MqttMessageType.PINGREQ, false, MqttQoS.AT_MOST_ONCE, false, 0)));
                }
                return;
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("client {}: connection error: {}", index, cause.toString());
            ctx.close();
        }
    }
}
