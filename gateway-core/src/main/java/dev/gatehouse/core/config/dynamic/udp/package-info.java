/**
 * The {@code udp} section of the dynamic configuration ({@code udp.routers}, {@code udp.services}), as Traefik
 * spells it: immutable records bound by Jackson, one element at a time.
 */
package dev.gatehouse.core.config.dynamic.udp;
