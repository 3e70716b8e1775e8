/** The {@code tcp} section of the dynamic configuration: TCP routers, services, middlewares and servers transports. */
package dev.gatehouse.core.config.dynamic.tcp;
